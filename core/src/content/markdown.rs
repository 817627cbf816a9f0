//! The safe Markdown subset of message text, parsed into a small tree that
//! the SDK builds as DOM nodes (and a server could render to e-mail).
//!
//! What it reads: `#`–`######` headings, paragraphs (a single newline is a
//! line break: authors of short in-app messages expect what they typed),
//! `-`/`*`/`+` and `1.` lists (one level), fenced code blocks, `**strong**`,
//! `*emphasis*` (`_` only at word edges, so `first_name` stays a word),
//! `` `code` ``, `[links](url)`, `![images](url)`, backslash escapes, and
//! placeholders `{{first_name|there}}` filled from the user's attributes.
//!
//! Why our own and not `pulldown-cmark`: that crate adds about 60 KB of wasm
//! (its tables, HTML entity list and generic machinery) to an SDK with a
//! 60 KB gzip budget; this module is a few KB. It never produces HTML, only
//! [`Block`]s and [`Inline`]s, so nothing an author (or an attacker who got
//! into the content) writes can become markup: `<script>` is text, an
//! attribute value is text, a `javascript:` link is text. Placeholder values
//! come from the user's attributes, which the user may control; they are
//! inserted as text and never parsed as Markdown.
//!
//! Hostile input stays linear: brackets are matched in one pass, a failed
//! search for a closing delimiter is remembered, and nesting stops at
//! [`MAX_DEPTH`].

use serde_json::{Map, Value};

/// How deep emphasis, links and images may nest before the rest is text.
pub const MAX_DEPTH: u8 = 8;

/// A block of rich text.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// `# Title`: level 1–6.
    Heading(u8, Vec<Inline>),
    /// Lines of text.
    Paragraph(Vec<Inline>),
    /// A list; `start` is the first number of an ordered list (0 for bullets).
    List {
        /// Numbered (`1.`) or bulleted.
        ordered: bool,
        /// The first item's number, for ordered lists.
        start: u32,
        /// Each item's text.
        items: Vec<Vec<Inline>>,
    },
    /// A fenced code block, verbatim.
    Code(String),
}

/// A piece of text inside a block.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    /// Plain text (placeholders already filled in).
    Text(String),
    /// `**strong**`.
    Strong(Vec<Inline>),
    /// `*emphasis*`.
    Emphasis(Vec<Inline>),
    /// `` `code` ``, verbatim.
    Code(String),
    /// A link whose address passed [`is_safe_url`].
    Link {
        /// The address.
        href: String,
        /// The link text.
        content: Vec<Inline>,
    },
    /// An image whose address passed [`is_safe_image_url`].
    Image {
        /// The address.
        src: String,
        /// Its text alternative.
        alt: String,
    },
    /// A line break inside a paragraph.
    Break,
}

/// Links in content may only be http(s), mailto or relative. Any colon
/// before the first `/`, `?` or `#` makes a scheme, and only those three
/// schemes pass, so `javascript:`, `data:`, `vbscript:` and tricks such as
/// `java\tscript:` (browsers drop the tab) or a leading control character
/// are refused rather than second-guessed.
pub fn is_safe_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            // A colon after the first '/', '?' or '#' is part of a relative path.
            let first_delim = lower.find(['/', '?', '#']).unwrap_or(usize::MAX);
            colon > first_delim
                || lower.starts_with("http:")
                || lower.starts_with("https:")
                || lower.starts_with("mailto:")
        }
    }
}

/// Images may only come from http(s) or relative addresses: no `data:`
/// (an SVG there can carry script when opened on its own) and no `mailto:`.
pub fn is_safe_image_url(url: &str) -> bool {
    is_safe_url(url) && !url.trim_start().to_ascii_lowercase().starts_with("mailto:")
}

/// Parses `text` into blocks, filling `{{name|fallback}}` placeholders from
/// `attributes` (dotted names reach into objects: `{{company.name}}`).
pub fn parse(text: &str, attributes: &Map<String, Value>) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().peekable();
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !para.is_empty() {
            blocks.push(Block::Paragraph(inlines(&para.join("\n"), attributes)));
            para.clear();
        }
    };
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty() {
            flush(&mut para, &mut blocks);
        } else if indent < 4 && trimmed.starts_with("```") {
            flush(&mut para, &mut blocks);
            let mut code = String::new();
            for l in lines.by_ref() {
                if l.trim_start().starts_with("```") {
                    break;
                }
                if !code.is_empty() {
                    code.push('\n');
                }
                code.push_str(l);
            }
            blocks.push(Block::Code(code));
        } else if let Some((level, rest)) = heading(trimmed).filter(|_| indent < 4) {
            flush(&mut para, &mut blocks);
            blocks.push(Block::Heading(level, inlines(rest, attributes)));
        } else if let Some((ordered, number, first)) = list_item(trimmed).filter(|_| indent < 4) {
            flush(&mut para, &mut blocks);
            let mut items = Vec::new();
            let mut item = first.to_owned();
            loop {
                match lines.peek() {
                    Some(next) if !next.trim().is_empty() => {
                        let t = next.trim_start();
                        match list_item(t) {
                            Some((o, _, text)) if o == ordered => {
                                items.push(inlines(&item, attributes));
                                item = text.to_owned();
                            }
                            // Indented lines continue the item.
                            None if next.len() - t.len() >= 2 => {
                                item.push('\n');
                                item.push_str(t);
                            }
                            _ => break,
                        }
                        lines.next();
                    }
                    _ => break,
                }
            }
            items.push(inlines(&item, attributes));
            blocks.push(Block::List {
                ordered,
                start: if ordered { number } else { 0 },
                items,
            });
        } else {
            para.push(line.trim());
        }
    }
    flush(&mut para, &mut blocks);
    blocks
}

/// `## Title ##` → (2, "Title").
fn heading(line: &str) -> Option<(u8, &str)> {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    let rest = &line[level..];
    if !(1..=6).contains(&level) || !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let level = u8::try_from(level).ok()?;
    Some((level, rest.trim().trim_end_matches('#').trim_end()))
}

/// `- item` → (false, 0, "item"); `3. item` → (true, 3, "item").
fn list_item(line: &str) -> Option<(bool, u32, &str)> {
    let bytes = line.as_bytes();
    if matches!(bytes.first(), Some(b'-' | b'*' | b'+'))
        && matches!(bytes.get(1), Some(b' ' | b'\t'))
    {
        return Some((false, 0, line[2..].trim_start()));
    }
    let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
    if (1..=9).contains(&digits)
        && matches!(bytes.get(digits), Some(b'.' | b')'))
        && matches!(bytes.get(digits + 1), Some(b' ' | b'\t'))
    {
        let n = line[..digits].parse().ok()?;
        return Some((true, n, line[digits + 2..].trim_start()));
    }
    None
}

/// Fills placeholders only: for titles, labels and other plain-text fields.
pub fn fill_placeholders(text: &str, attributes: &Map<String, Value>) -> String {
    if !text.contains("{{") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        match placeholder(&rest[at..], attributes) {
            Some((value, used)) => {
                out.push_str(&value);
                rest = &rest[at + used..];
            }
            None => {
                out.push_str("{{");
                rest = &rest[at + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `{{ company.name | your team }}` at the start of `s` → (value or
/// fallback, bytes used). `None` if it is not a well-formed placeholder.
fn placeholder(s: &str, attributes: &Map<String, Value>) -> Option<(String, usize)> {
    let end = s.get(2..)?.find("}}")? + 2;
    let inner = &s[2..end];
    if inner.len() > 200 || inner.contains('{') {
        return None;
    }
    let (name, fallback) = match inner.split_once('|') {
        Some((n, f)) => (n.trim(), f.trim()),
        None => (inner.trim(), ""),
    };
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if !valid {
        return None;
    }
    let mut value = None;
    for (i, key) in name.split('.').enumerate() {
        value = if i == 0 {
            attributes.get(key)
        } else {
            value.and_then(|v: &Value| v.get(key))
        };
    }
    let text = match value {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        // Integers by integer formatting, fractions as JavaScript writes
        // them (`Number`'s own `Display` would bring a float formatter).
        Some(Value::Number(n)) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => u.to_string(),
            (None, Some(i)) => i.to_string(),
            _ => crate::condition::js_number(n.as_f64().unwrap_or(f64::NAN)),
        },
        Some(Value::Bool(b)) => b.to_string(),
        _ => fallback.to_owned(),
    };
    Some((text, end + 2))
}

/// Parses inline Markdown of one paragraph, heading or list item.
fn inlines(text: &str, attributes: &Map<String, Value>) -> Vec<Inline> {
    let mut p = InlineParser {
        src: text,
        attributes,
        brackets: match_brackets(text),
        failed: [None; 4],
    };
    p.run(0, text.len(), 0, false)
}

/// Every `[` with its `]`, matched in one pass (escaped brackets do not
/// count). Two vectors rather than a map (a `BTreeMap<usize, usize>` cost
/// the wasm about 4 KB): the openers in text order, so a lookup is a binary
/// search, and beside each its closer, if any.
struct Brackets {
    opens: Vec<usize>,
    closes: Vec<Option<usize>>,
}

impl Brackets {
    fn close_of(&self, open: usize) -> Option<usize> {
        let k = self.opens.binary_search(&open).ok()?;
        self.closes.get(k).copied().flatten()
    }
}

fn match_brackets(text: &str) -> Brackets {
    let mut b = Brackets {
        opens: Vec::new(),
        closes: Vec::new(),
    };
    let mut stack = Vec::new();
    let mut escaped = false;
    for (i, c) in text.bytes().enumerate() {
        match c {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'[' => {
                stack.push(b.opens.len());
                b.opens.push(i);
                b.closes.push(None);
            }
            b']' => {
                if let Some(close) = stack.pop().and_then(|k| b.closes.get_mut(k)) {
                    *close = Some(i);
                }
            }
            _ => {}
        }
    }
    b
}

/// The delimiters whose closers are searched for: `**`, `__`, `*`, `_`.
#[derive(Clone, Copy)]
enum Delim {
    StarStar = 0,
    UnderUnder = 1,
    Star = 2,
    Under = 3,
}

struct InlineParser<'a> {
    src: &'a str,
    attributes: &'a Map<String, Value>,
    brackets: Brackets,
    /// Per delimiter, a search `(from, to)` that found no closer: any later
    /// search inside that range cannot find one either.
    failed: [Option<(usize, usize)>; 4],
}

fn push_text(out: &mut Vec<Inline>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Inline::Text(t)) = out.last_mut() {
        t.push_str(s);
    } else {
        out.push(Inline::Text(s.to_owned()));
    }
}

impl<'a> InlineParser<'a> {
    fn run(&mut self, start: usize, end: usize, depth: u8, in_link: bool) -> Vec<Inline> {
        let src = self.src;
        let bytes = src.as_bytes();
        let mut out = Vec::new();
        let mut text_from = start;
        let mut i = start;
        while i < end {
            let b = bytes[i];
            if !matches!(b, b'\\' | b'`' | b'*' | b'_' | b'[' | b'!' | b'{' | b'\n') {
                i += 1;
                continue;
            }
            push_text(&mut out, &src[text_from..i]);
            text_from = i;
            match self.special(i, end, depth, in_link) {
                Some((node, next)) => {
                    if let Some(node) = node {
                        match node {
                            Inline::Text(t) => push_text(&mut out, &t),
                            other => out.push(other),
                        }
                    }
                    i = next;
                    text_from = next;
                }
                None => i += 1,
            }
        }
        push_text(&mut out, &src[text_from..end]);
        out
    }

    /// The construct at `i`, if any: (node to add, where to go on).
    fn special(
        &mut self,
        i: usize,
        end: usize,
        depth: u8,
        in_link: bool,
    ) -> Option<(Option<Inline>, usize)> {
        let src = self.src;
        let bytes = src.as_bytes();
        let b = bytes[i];
        let next = bytes.get(i + 1).copied().filter(|_| i + 1 < end);
        match b {
            b'\\' => match next {
                Some(c) if c.is_ascii_punctuation() => {
                    Some((Some(Inline::Text(src[i + 1..i + 2].to_owned())), i + 2))
                }
                _ => None,
            },
            b'\n' => Some((Some(Inline::Break), i + 1)),
            b'`' => {
                let run = bytes[i..end].iter().take_while(|&&c| c == b'`').count();
                let mut j = i + run;
                while j < end {
                    if bytes[j] == b'`' {
                        let r = bytes[j..end].iter().take_while(|&&c| c == b'`').count();
                        if r == run {
                            let code = src[i + run..j].trim();
                            return Some((Some(Inline::Code(code.to_owned())), j + r));
                        }
                        j += r;
                    } else {
                        j += 1;
                    }
                }
                // No closer: the whole run is text.
                Some((Some(Inline::Text(src[i..i + run].to_owned())), i + run))
            }
            b'*' | b'_' => self.emphasis(i, end, depth, in_link),
            b'{' if next == Some(b'{') => {
                let (value, used) = placeholder(&src[i..end], self.attributes)?;
                Some((Some(Inline::Text(value)), i + used))
            }
            b'[' if !in_link && depth < MAX_DEPTH => {
                let (close, url, after) = self.link_parts(i, end)?;
                let content = self.run(i + 1, close, depth + 1, true);
                if is_safe_url(url) {
                    let link = Inline::Link {
                        href: url.to_owned(),
                        content,
                    };
                    Some((Some(link), after))
                } else {
                    // Refused address: keep the words, drop the link.
                    let mut words = String::new();
                    plain_text(&content, &mut words);
                    Some((Some(Inline::Text(words)), after))
                }
            }
            b'!' if next == Some(b'[') && depth < MAX_DEPTH => {
                let (close, url, after) = self.link_parts(i + 1, end)?;
                let alt = fill_placeholders(&src[i + 2..close], self.attributes);
                if is_safe_image_url(url) {
                    let image = Inline::Image {
                        src: url.to_owned(),
                        alt,
                    };
                    Some((Some(image), after))
                } else {
                    Some((Some(Inline::Text(alt)), after))
                }
            }
            _ => None,
        }
    }

    /// For `[` at `open`: its `]`, the address in the `(…)` right after
    /// (first word, so a `"title"` is ignored) and the position after `)`.
    fn link_parts(&self, open: usize, end: usize) -> Option<(usize, &'a str, usize)> {
        let close = self.brackets.close_of(open)?;
        let src: &'a str = self.src;
        let bytes = src.as_bytes();
        if close >= end || bytes.get(close + 1) != Some(&b'(') {
            return None;
        }
        let from = close + 2;
        let paren = src.get(from..end)?.find(')')? + from;
        let inside = src[from..paren].trim();
        let (url, title) = inside
            .split_once(char::is_whitespace)
            .unwrap_or((inside, ""));
        // Only a quoted title may follow the address; anything else means
        // the address had spaces in it, which a browser would join.
        if !(title.is_empty() || title.trim_start().starts_with(['"', '\''])) {
            return None;
        }
        let url = url.trim_start_matches('<').trim_end_matches('>');
        Some((close, url, paren + 1))
    }

    fn emphasis(
        &mut self,
        i: usize,
        end: usize,
        depth: u8,
        in_link: bool,
    ) -> Option<(Option<Inline>, usize)> {
        let bytes = self.src.as_bytes();
        let d = bytes[i];
        let run = bytes[i..end].iter().take_while(|&&c| c == d).count();
        let word_char =
            |at: Option<&u8>| at.is_some_and(|c| c.is_ascii_alphanumeric() || *c >= 0x80);
        let text_run = Some((Some(Inline::Text(self.src[i..i + run].to_owned())), i + run));
        // `_` inside a word (snake_case) is not emphasis.
        if d == b'_' && i > 0 && word_char(bytes.get(i - 1)) {
            return text_run;
        }
        let (len, kind) = match (d, run >= 2) {
            (b'*', true) => (2, Delim::StarStar),
            (b'_', true) => (2, Delim::UnderUnder),
            (b'*', false) => (1, Delim::Star),
            _ => (1, Delim::Under),
        };
        let inner = i + len;
        let opens = matches!(bytes.get(inner), Some(c) if !c.is_ascii_whitespace());
        if depth >= MAX_DEPTH || !opens {
            return text_run;
        }
        let Some(close) = self.closer(kind, d, len, inner, end) else {
            return Some((Some(Inline::Text(self.src[i..inner].to_owned())), inner));
        };
        let content = self.run(inner, close, depth + 1, in_link);
        let node = if len == 2 {
            Inline::Strong(content)
        } else {
            Inline::Emphasis(content)
        };
        Some((Some(node), close + len))
    }

    /// Where the delimiter run of `len` × `d` that closes one opened before
    /// `from` is, if any: not after whitespace, and for `_` not before a
    /// word character. Runs of a different length are stepped over.
    fn closer(&mut self, kind: Delim, d: u8, len: usize, from: usize, end: usize) -> Option<usize> {
        let slot = kind as usize;
        if let Some((f, e)) = self.failed[slot] {
            if from >= f && end <= e {
                return None;
            }
        }
        let bytes = self.src.as_bytes();
        let mut j = from + 1;
        while j < end {
            if bytes[j] != d {
                j += 1;
                continue;
            }
            let run = bytes[j..end].iter().take_while(|&&c| c == d).count();
            let fits = if len == 2 { run >= 2 } else { run == 1 };
            let after_ok = d != b'_'
                || !bytes
                    .get(j + run)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c >= 0x80);
            if fits && after_ok && !bytes[j - 1].is_ascii_whitespace() {
                return Some(j);
            }
            j += run;
        }
        self.failed[slot] = Some((from, end));
        None
    }
}

/// The words of `inlines` without formatting (alt text, labels).
pub fn plain_text(inlines: &[Inline], out: &mut String) {
    for node in inlines {
        match node {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Strong(c) | Inline::Emphasis(c) | Inline::Link { content: c, .. } => {
                plain_text(c, out)
            }
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::Break => out.push(' '),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn attrs() -> Map<String, Value> {
        match json!({"first_name": "Ada", "plan": "", "seats": 3, "company": {"name": "Acme"}}) {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    fn one(text: &str) -> Vec<Inline> {
        match parse(text, &attrs()).as_slice() {
            [Block::Paragraph(p)] => p.clone(),
            other => panic!("not one paragraph: {other:?}"),
        }
    }

    fn t(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn blocks() {
        let doc = "# Title #\n\nLine one\nline two\n\n- a\n- **b**\n  more\n\n3. x\n4. y\n\n```\n<b>x</b>\n```\nafter";
        let blocks = parse(doc, &Map::new());
        assert_eq!(blocks[0], Block::Heading(1, vec![t("Title")]));
        assert_eq!(
            blocks[1],
            Block::Paragraph(vec![t("Line one"), Inline::Break, t("line two")])
        );
        assert_eq!(
            blocks[2],
            Block::List {
                ordered: false,
                start: 0,
                items: vec![
                    vec![t("a")],
                    vec![Inline::Strong(vec![t("b")]), Inline::Break, t("more")]
                ]
            }
        );
        assert!(
            matches!(&blocks[3], Block::List { ordered: true, start: 3, items } if items.len() == 2)
        );
        assert_eq!(blocks[4], Block::Code("<b>x</b>".into()));
        assert_eq!(blocks[5], Block::Paragraph(vec![t("after")]));
        assert_eq!(blocks.len(), 6);
        // Not headings or lists.
        assert_eq!(one("#hashtag"), vec![t("#hashtag")]);
        assert_eq!(one("-no space"), vec![t("-no space")]);
    }

    #[test]
    fn emphasis_code_and_escapes() {
        assert_eq!(
            one("a **b *c* d** `x*y*` \\*z\\*"),
            vec![
                t("a "),
                Inline::Strong(vec![t("b "), Inline::Emphasis(vec![t("c")]), t(" d")]),
                t(" "),
                Inline::Code("x*y*".into()),
                t(" *z*"),
            ]
        );
        assert_eq!(
            one("snake_case_name and _em_"),
            vec![t("snake_case_name and "), Inline::Emphasis(vec![t("em")])]
        );
        assert_eq!(one("2 * 3 * 4"), vec![t("2 * 3 * 4")]);
        assert_eq!(one("**unclosed"), vec![t("**unclosed")]);
        assert_eq!(one("`open"), vec![t("`open")]);
    }

    #[test]
    fn links_and_images_only_with_safe_addresses() {
        assert_eq!(
            one("[Docs](https://x.io/a \"t\") and ![A *cat*](/cat.png)"),
            vec![
                Inline::Link {
                    href: "https://x.io/a".into(),
                    content: vec![t("Docs")]
                },
                t(" and "),
                Inline::Image {
                    src: "/cat.png".into(),
                    alt: "A *cat*".into()
                },
            ]
        );
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:x",
            "file:///etc/passwd",
        ] {
            let md = ["[click **me**](", bad, ")"].concat();
            let nodes = one(&md);
            assert!(
                !nodes.iter().any(|n| matches!(n, Inline::Link { .. })),
                "{bad}: {nodes:?}"
            );
        }
        assert_eq!(
            one("![x](data:image/svg+xml;base64,PHN2Zz4=)"),
            vec![t("x")]
        );
        let svg = one("![x](data:image/svg+xml,<svg onload=alert(1)>)");
        assert!(
            !svg.iter().any(|n| matches!(n, Inline::Image { .. })),
            "{svg:?}"
        );
        assert_eq!(one("![x](mailto:a@b.c)"), vec![t("x")]);
        assert!(matches!(&one("[m](mailto:a@b.c)")[0], Inline::Link { .. }));
        // Nested links are not links; image inside a link is fine.
        let nested = one("[![logo](/l.png)](/home)");
        assert!(
            matches!(&nested[0], Inline::Link { content, .. } if matches!(content[0], Inline::Image { .. }))
        );
        assert_eq!(one("[a](b"), vec![t("[a](b")]);
        assert_eq!(one("[just brackets]"), vec![t("[just brackets]")]);
    }

    #[test]
    fn safe_urls() {
        for ok in [
            "https://a.b/c",
            "http://x",
            "mailto:a@b.c",
            "/pricing",
            "docs/a:b",
            "?q=1",
            "#top",
        ] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " JavaScript:x",
            "data:text/html,x",
            "vbscript:x",
            "blob:x",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn placeholders_fill_from_attributes_as_text() {
        assert_eq!(one("Hi {{first_name|there}}!"), vec![t("Hi Ada!")]);
        assert_eq!(
            one("{{ plan | free }} {{seats}} {{company.name}} {{nope}}|"),
            vec![t("free 3 Acme |")]
        );
        assert_eq!(one("{{bad name}} {{x"), vec![t("{{bad name}} {{x")]);
        let mut a = Map::new();
        a.insert("first_name".into(), json!("**<b>x</b>** [y](javascript:z)"));
        let blocks = parse("Hi {{first_name}}", &a);
        assert_eq!(
            blocks,
            vec![Block::Paragraph(vec![t(
                "Hi **<b>x</b>** [y](javascript:z)"
            )])],
            "attribute values are text, never Markdown"
        );
        assert_eq!(
            fill_placeholders("Hey {{first_name|you}}, {{x|}}.", &attrs()),
            "Hey Ada, ."
        );
    }

    #[test]
    fn hostile_markup_is_text() {
        let s = "<script>alert(1)</script><img src=x onerror=alert(1)><svg onload=alert(1)><style>*{}</style>";
        assert_eq!(one(s), vec![t(s)]);
    }

    #[test]
    fn hostile_input_stays_fast_and_shallow() {
        let many = "**a ".repeat(20_000) + &"[".repeat(20_000) + &"_b ".repeat(20_000);
        let start = std::time::Instant::now();
        let out = parse(&many, &Map::new());
        assert!(start.elapsed().as_secs_f64() < 2.0, "{:?}", start.elapsed());
        assert_eq!(out.len(), 1);
        let deep = "*a ".repeat(500) + &"a* ".repeat(500);
        let _ = parse(&deep, &Map::new());
        let nested = "[".repeat(300) + "x" + &"](/a)".repeat(300);
        let _ = parse(&nested, &Map::new());
    }

    #[test]
    fn unicode_rtl_and_emoji_pass_through() {
        let s = "مرحبا **بك** 👋🏽 日本語 _ok_";
        assert_eq!(
            one(s),
            vec![
                t("مرحبا "),
                Inline::Strong(vec![t("بك")]),
                t(" 👋🏽 日本語 "),
                Inline::Emphasis(vec![t("ok")])
            ]
        );
    }
}
