//! The knowledge-base bot: answers a question from the app's articles and
//! approved snippets, or says it cannot.
//!
//! **Retrieval** is tantivy's BM25 over one in-memory index per app, with a
//! title field (article title, or the snippet's question) boosted ×2 over
//! the body (article text, or the snippet's answer). Text goes through one
//! analyzer for documents and questions alike: split on non-letters,
//! lowercase, drop English stop words and question filler ("how", "can",
//! "my"…), Snowball English stemming — so "Exporting dashboards?" and
//! "export my dashboard" become the same terms. The index is rebuilt when
//! the app's knowledge changes: its version is read from the database on
//! every question (one indexed query), so an article saved through another
//! server process is seen at once too.
//!
//! **Confidence** is the share of the question's information that the
//! best BM25 match contains: every distinct question term is weighted by
//! its BM25 inverse document frequency, `ln(1 + (N − n + ½)/(n + ½))` for
//! a term in `n` of the `N` documents, and
//! `confidence = Σ weight(terms in the match) / Σ weight(all terms)`.
//! A term the knowledge base never mentions weighs half as much as its
//! rarest ones (half the weight at n = 1: it may be a detail like "weekly"
//! or a typo, but it may also be the very subject the knowledge base does
//! not cover), so a question about something it does not know scores low
//! even when a common word matches, and words that appear everywhere count
//! for little. The bot answers only when the
//! confidence reaches the app's `messenger.bot_threshold`
//! (default [`DEFAULT_THRESHOLD`]); otherwise the conversation goes to a
//! person. Confidence is 1.0 when the match holds every term, whatever the
//! corpus size, which keeps one threshold meaningful for a knowledge base
//! of three articles or of three thousand.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use beckon_core::conversation::Source;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, INDEXED, STORED,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::error::Result;
use crate::store::{SnippetStatus, Store};

/// The default confidence an answer needs (see the module doc).
pub const DEFAULT_THRESHOLD: f64 = 0.6;

/// The longest answer taken from an article: its first paragraphs up to
/// this many characters; the citation links to the whole article.
const MAX_EXCERPT: usize = 700;

/// The most distinct terms of a question that are searched.
const MAX_TERMS: usize = 64;

/// The analyzer's name in each index.
const ANALYZER: &str = "kb";

/// Words that carry no subject in a question, on top of tantivy's English
/// stop words.
const FILLER: &[&str] = &[
    "how", "do", "does", "did", "can", "could", "should", "would", "i", "me", "my", "mine", "we",
    "our", "us", "you", "your", "what", "where", "when", "why", "which", "who", "is", "am",
    "please", "hi", "hello", "hey", "thanks", "thank", "want", "need", "help", "get", "way",
    "there", "any", "some", "it", "its", "here", "just", "also", "so", "from", "about", "have",
    "has", "had", "been", "being", "were", "one", "like",
];

/// What a user's words may say when they want a person, not the bot.
const ASKS_FOR_PERSON: &[&str] = &[
    "human",
    "real person",
    "a person",
    "an agent",
    "talk to someone",
    "speak to someone",
    "someone from",
    "representative",
    "operator",
    "live agent",
    "support team",
];

/// Whether the user asks for a person in their own words.
pub fn asks_for_person(text: &str) -> bool {
    let lower = text.to_lowercase();
    ASKS_FOR_PERSON.iter().any(|p| lower.contains(p))
}

/// An answer the bot is confident enough to give.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Markdown to send.
    pub body: String,
    /// Where it came from.
    pub sources: Vec<Source>,
    /// 0–1, see the module doc.
    pub confidence: f64,
}

/// The best match for a question, confident or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The answer it would give.
    pub answer: Answer,
    /// The BM25 score of the match.
    pub score: f32,
}

/// One document of the index.
struct Doc {
    source: Source,
    body: String,
    /// Its analyzed terms (title and body), for coverage.
    terms: HashSet<String>,
}

/// One app's index.
struct KbIndex {
    version: String,
    reader: IndexReader,
    analyzer: TextAnalyzer,
    title: Field,
    body: Field,
    ord: Field,
    docs: Vec<Doc>,
    /// In how many documents each term appears.
    doc_freq: HashMap<String, usize>,
}

/// The indexes of every app this process has answered for.
#[derive(Default)]
pub struct Bot {
    indexes: Mutex<HashMap<String, Arc<KbIndex>>>,
}

fn analyzer() -> TextAnalyzer {
    let builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(
            FILLER.iter().map(|w| (*w).to_owned()),
        ));
    match StopWordFilter::new(Language::English) {
        Some(stop) => builder
            .filter(stop)
            .filter(Stemmer::new(Language::English))
            .build(),
        None => builder.filter(Stemmer::new(Language::English)).build(),
    }
}

fn terms(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// The first paragraphs of an article, whole paragraphs up to
/// [`MAX_EXCERPT`] characters (at least one).
fn excerpt(body: &str) -> String {
    let mut out = String::new();
    for para in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        if !out.is_empty() && out.chars().count() + para.chars().count() > MAX_EXCERPT {
            break;
        }
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        out.push_str(para);
    }
    out
}

fn search_error(e: tantivy::TantivyError) -> crate::AppError {
    tracing::error!(error = %e, "knowledge-base index");
    crate::AppError::bad(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "the knowledge base index failed",
    )
}

impl KbIndex {
    fn build(version: String, docs: Vec<(Source, String)>) -> tantivy::Result<Self> {
        let mut schema = Schema::builder();
        let text = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let title = schema.add_text_field("title", text.clone());
        let body = schema.add_text_field("body", text);
        let ord = schema.add_u64_field("ord", INDEXED | STORED);
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(ANALYZER, analyzer());
        let mut analyzer = analyzer();
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        let mut kept = Vec::with_capacity(docs.len());
        let mut doc_freq: HashMap<String, usize> = HashMap::new();
        for (i, (source, text)) in docs.into_iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_text(title, &source.title);
            doc.add_text(body, &text);
            doc.add_u64(ord, i as u64);
            writer.add_document(doc)?;
            let mut set: HashSet<String> =
                terms(&mut analyzer, &source.title).into_iter().collect();
            set.extend(terms(&mut analyzer, &text));
            for t in &set {
                *doc_freq.entry(t.clone()).or_default() += 1;
            }
            kept.push(Doc {
                source,
                body: text,
                terms: set,
            });
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            version,
            reader,
            analyzer,
            title,
            body,
            ord,
            docs: kept,
            doc_freq,
        })
    }

    fn idf(&self, term: &str) -> f64 {
        let n = self.docs.len() as f64;
        let bm25_idf = |df: f64| (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        match self.doc_freq.get(term) {
            Some(&df) => bm25_idf(df as f64),
            None => bm25_idf(1.0) / 2.0,
        }
    }

    fn best(&self, question: &str) -> tantivy::Result<Option<Match>> {
        let mut analyzer = self.analyzer.clone();
        let mut asked: Vec<String> = terms(&mut analyzer, question);
        asked.sort();
        asked.dedup();
        // A question is a few words; a pasted log is not worth 10,000
        // clauses.
        asked.truncate(MAX_TERMS);
        if asked.is_empty() || self.docs.is_empty() {
            return Ok(None);
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for t in &asked {
            let in_title = TermQuery::new(
                Term::from_field_text(self.title, t),
                IndexRecordOption::WithFreqs,
            );
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(in_title), 2.0)),
            ));
            clauses.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.body, t),
                    IndexRecordOption::WithFreqs,
                )),
            ));
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((score, address)) = top.into_iter().next() else {
            return Ok(None);
        };
        let stored: TantivyDocument = searcher.doc(address)?;
        let Some(doc) = stored
            .get_first(self.ord)
            .and_then(|v| v.as_u64())
            .and_then(|i| self.docs.get(usize::try_from(i).ok()?))
        else {
            return Ok(None);
        };
        let total: f64 = asked.iter().map(|t| self.idf(t)).sum();
        let covered: f64 = asked
            .iter()
            .filter(|t| doc.terms.contains(*t))
            .map(|t| self.idf(t))
            .sum();
        let confidence = if total > 0.0 { covered / total } else { 0.0 };
        let body = if doc.source.kind == "article" {
            excerpt(&doc.body)
        } else {
            doc.body.clone()
        };
        Ok(Some(Match {
            answer: Answer {
                body,
                sources: vec![doc.source.clone()],
                confidence,
            },
            score,
        }))
    }
}

impl Bot {
    /// The app's index, rebuilt if its knowledge changed since.
    async fn index(&self, store: &Store, app_id: &str) -> Result<Arc<KbIndex>> {
        let version = store.knowledge_version(app_id).await?;
        if let Some(index) = self.cached(app_id).filter(|i| i.version == version) {
            return Ok(index);
        }
        let mut docs: Vec<(Source, String)> = store
            .articles(app_id, None)
            .await?
            .into_iter()
            .map(|a| {
                (
                    Source {
                        kind: "article".into(),
                        id: a.id,
                        title: a.title,
                    },
                    a.body,
                )
            })
            .collect();
        docs.extend(
            store
                .snippets(app_id, Some(SnippetStatus::Approved))
                .await?
                .into_iter()
                .map(|s| {
                    (
                        Source {
                            kind: "snippet".into(),
                            id: s.id,
                            title: s.question,
                        },
                        s.answer,
                    )
                }),
        );
        let count = docs.len();
        let started = std::time::Instant::now();
        let built = tokio::task::spawn_blocking(move || KbIndex::build(version, docs))
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "index build panicked");
                crate::AppError::bad(
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the knowledge base index failed",
                )
            })?
            .map_err(search_error)?;
        tracing::info!(
            app = app_id,
            documents = count,
            ms = started.elapsed().as_millis() as u64,
            "knowledge base indexed"
        );
        let built = Arc::new(built);
        let mut indexes = self.indexes.lock().unwrap_or_else(|p| p.into_inner());
        indexes.insert(app_id.to_owned(), built.clone());
        Ok(built)
    }

    fn cached(&self, app_id: &str) -> Option<Arc<KbIndex>> {
        let indexes = self.indexes.lock().unwrap_or_else(|p| p.into_inner());
        indexes.get(app_id).cloned()
    }

    /// The best match for `question` with its confidence, or `None` when
    /// nothing in the knowledge base shares a word with it.
    pub async fn best_match(
        &self,
        store: &Store,
        app_id: &str,
        question: &str,
    ) -> Result<Option<Match>> {
        let index = self.index(store, app_id).await?;
        index.best(question).map_err(search_error)
    }

    /// An answer whose confidence reaches `threshold`, or `None`: hand off.
    pub async fn answer(
        &self,
        store: &Store,
        app_id: &str,
        question: &str,
        threshold: f64,
    ) -> Result<Option<Answer>> {
        let found = self.best_match(store, app_id, question).await?;
        if let Some(m) = &found {
            tracing::debug!(app = app_id, confidence = m.answer.confidence, score = m.score, source = %m.answer.sources[0].id, "bot match");
        }
        Ok(found
            .map(|m| m.answer)
            .filter(|a| a.confidence >= threshold))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(kind: &str, id: &str, title: &str) -> Source {
        Source {
            kind: kind.into(),
            id: id.into(),
            title: title.into(),
        }
    }

    fn index() -> KbIndex {
        KbIndex::build(
            "v".into(),
            vec![
                (
                    source("article", "invite-team", "Invite your team"),
                    "Go to **Settings → Members** and choose **Invite**.".into(),
                ),
                (
                    source("article", "export-csv", "Export data as CSV"),
                    "Open a dashboard and choose **Export → CSV**.".into(),
                ),
                (
                    source("snippet", "s1", "Can I export a dashboard as a PDF?"),
                    "Yes: **Share → Export PDF**.".into(),
                ),
            ],
        )
        .expect("index")
    }

    fn best(i: &KbIndex, q: &str) -> (String, f64) {
        let m = i.best(q).expect("search").expect("a match");
        (m.answer.sources[0].id.clone(), m.answer.confidence)
    }

    #[test]
    fn stems_and_weights_the_question() {
        let i = index();
        let (id, c) = best(&i, "How do I invite teammates to my team?");
        assert_eq!(id, "invite-team");
        assert!(c > 0.6, "{c}");
        let (id, c) = best(&i, "exporting dashboards to pdf");
        assert_eq!(id, "s1");
        assert!((c - 1.0).abs() < 1e-9, "{c}");
        // Shares a word, but the subject is unknown: low confidence.
        let (_, c) = best(&i, "how do I delete a team invoice from the history");
        assert!(c < DEFAULT_THRESHOLD, "{c}");
        assert!(
            i.best("refund policy").expect("search").is_none(),
            "nothing shared"
        );
        assert!(
            i.best("how do I").expect("search").is_none(),
            "only filler words"
        );
    }

    #[test]
    fn excerpts_keep_whole_paragraphs() {
        let long = format!("First.\n\n{}\n\nThird.", "x".repeat(800));
        assert_eq!(excerpt(&long), "First.");
        assert_eq!(excerpt("One.\n\nTwo."), "One.\n\nTwo.");
        assert!(asks_for_person("Can I talk to a HUMAN please"));
        assert!(!asks_for_person("How do I invite my team?"));
    }
}
