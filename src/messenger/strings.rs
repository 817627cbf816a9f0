//! The messenger's own words in English, German, French, Spanish, Japanese
//! and Arabic. "Close" and "Back" come from the surfaces' table
//! ([`crate::ui::i18n`]); right-to-left detection too.
//!
//! A `&'static str` table indexed by language and word (about 3 KB of
//! data, no formatting code); `{n}`, `{name}` and `{when}` are filled by
//! [`fill`].

/// A word or phrase of the messenger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum S {
    /// The launcher's name and the panel's fallback title.
    Messages = 0,
    /// Unread count: "{n} unread".
    Unread,
    /// Starts a conversation.
    AskQuestion,
    /// The help search field.
    SearchHelp,
    /// The help search button.
    Search,
    /// An empty search.
    NoResults,
    /// Heading of the article list.
    HelpArticles,
    /// Heading of the conversation list.
    Recent,
    /// The composer's button.
    Send,
    /// The composer's label.
    Write,
    /// The user, as author of their messages.
    You,
    /// Tag on the bot's answers.
    Bot,
    /// Feedback question under a bot answer.
    WasHelpful,
    /// Feedback: it helped.
    Helped,
    /// Feedback: hand off to a person.
    TalkToPerson,
    /// Label of a bot answer's citation.
    Source,
    /// Rating prompt at close.
    Rate,
    /// One rating button: "{n} of 5".
    RateN,
    /// After feedback or a rating.
    Thanks,
    /// Expected reply time: "We'll reply {when}".
    ReplyIn,
    /// Who will answer: "{name} will answer".
    WillAnswer,
    /// Typing indicator: "{name} is typing…".
    Typing,
    /// A message on its way.
    Sending,
    /// A message the server stored.
    Delivered,
    /// A message an agent saw.
    Seen,
    /// A message that could not be sent.
    NotSent,
    /// Sends a failed message again.
    Retry,
    /// The email field.
    Email,
    /// The email form's button.
    Save,
    /// A load failed.
    LoadFailed,
    /// A load is running.
    Loading,
    /// The transcript's name.
    Conversation,
    /// A closed conversation.
    Closed,
}

const WORDS: usize = 33;

const LANGUAGES: [&str; 6] = ["en", "de", "fr", "es", "ja", "ar"];

const TABLE: [[&str; WORDS]; 6] = [
    [
        "Messages",
        "{n} unread",
        "Ask a question",
        "Search for help",
        "Search",
        "No articles found",
        "Help articles",
        "Your conversations",
        "Send",
        "Write a message…",
        "You",
        "Bot",
        "Was this helpful?",
        "Yes, that helped",
        "Talk to a person",
        "Source",
        "Rate your conversation",
        "{n} of 5",
        "Thanks for your feedback!",
        "We'll reply {when}",
        "{name} will answer",
        "{name} is typing…",
        "Sending…",
        "Delivered",
        "Seen",
        "Not sent",
        "Retry",
        "Email address",
        "Save",
        "Could not load. Please try again later.",
        "Loading…",
        "Conversation",
        "This conversation is closed.",
    ],
    [
        "Nachrichten",
        "{n} ungelesen",
        "Eine Frage stellen",
        "Hilfe durchsuchen",
        "Suchen",
        "Keine Artikel gefunden",
        "Hilfeartikel",
        "Ihre Unterhaltungen",
        "Senden",
        "Nachricht schreiben…",
        "Sie",
        "Bot",
        "War das hilfreich?",
        "Ja, das hat geholfen",
        "Mit einer Person sprechen",
        "Quelle",
        "Bewerten Sie die Unterhaltung",
        "{n} von 5",
        "Danke für Ihr Feedback!",
        "Wir antworten {when}",
        "{name} antwortet Ihnen",
        "{name} schreibt…",
        "Wird gesendet…",
        "Zugestellt",
        "Gelesen",
        "Nicht gesendet",
        "Erneut senden",
        "E-Mail-Adresse",
        "Speichern",
        "Laden fehlgeschlagen. Bitte später erneut versuchen.",
        "Wird geladen…",
        "Unterhaltung",
        "Diese Unterhaltung ist geschlossen.",
    ],
    [
        "Messages",
        "{n} non lus",
        "Poser une question",
        "Rechercher de l'aide",
        "Rechercher",
        "Aucun article trouvé",
        "Articles d'aide",
        "Vos conversations",
        "Envoyer",
        "Écrire un message…",
        "Vous",
        "Bot",
        "Cela vous a-t-il aidé ?",
        "Oui, cela m'a aidé",
        "Parler à une personne",
        "Source",
        "Évaluez la conversation",
        "{n} sur 5",
        "Merci pour votre avis !",
        "Nous répondrons {when}",
        "{name} va vous répondre",
        "{name} écrit…",
        "Envoi…",
        "Distribué",
        "Vu",
        "Non envoyé",
        "Réessayer",
        "Adresse e-mail",
        "Enregistrer",
        "Échec du chargement. Réessayez plus tard.",
        "Chargement…",
        "Conversation",
        "Cette conversation est close.",
    ],
    [
        "Mensajes",
        "{n} sin leer",
        "Hacer una pregunta",
        "Buscar ayuda",
        "Buscar",
        "No se encontraron artículos",
        "Artículos de ayuda",
        "Tus conversaciones",
        "Enviar",
        "Escribe un mensaje…",
        "Tú",
        "Bot",
        "¿Te ha sido útil?",
        "Sí, me ayudó",
        "Hablar con una persona",
        "Fuente",
        "Valora la conversación",
        "{n} de 5",
        "¡Gracias por tu opinión!",
        "Responderemos {when}",
        "{name} te responderá",
        "{name} está escribiendo…",
        "Enviando…",
        "Entregado",
        "Visto",
        "No enviado",
        "Reintentar",
        "Correo electrónico",
        "Guardar",
        "No se pudo cargar. Inténtalo más tarde.",
        "Cargando…",
        "Conversación",
        "Esta conversación está cerrada.",
    ],
    [
        "メッセージ",
        "未読 {n} 件",
        "質問する",
        "ヘルプを検索",
        "検索",
        "記事が見つかりません",
        "ヘルプ記事",
        "あなたの会話",
        "送信",
        "メッセージを入力…",
        "あなた",
        "ボット",
        "お役に立ちましたか？",
        "はい、役に立ちました",
        "担当者と話す",
        "出典",
        "この会話を評価してください",
        "5 段階中 {n}",
        "フィードバックありがとうございます！",
        "返信の目安: {when}",
        "{name} が対応します",
        "{name} が入力中…",
        "送信中…",
        "配信済み",
        "既読",
        "未送信",
        "再送信",
        "メールアドレス",
        "保存",
        "読み込めませんでした。後でもう一度お試しください。",
        "読み込み中…",
        "会話",
        "この会話は終了しました。",
    ],
    [
        "الرسائل",
        "{n} غير مقروءة",
        "اطرح سؤالاً",
        "ابحث في المساعدة",
        "بحث",
        "لم يتم العثور على مقالات",
        "مقالات المساعدة",
        "محادثاتك",
        "إرسال",
        "اكتب رسالة…",
        "أنت",
        "روبوت",
        "هل كان هذا مفيدًا؟",
        "نعم، كان مفيدًا",
        "التحدث إلى شخص",
        "المصدر",
        "قيّم المحادثة",
        "{n} من 5",
        "شكرًا على ملاحظاتك!",
        "سنرد {when}",
        "سيرد عليك {name}",
        "{name} يكتب…",
        "جارٍ الإرسال…",
        "تم التسليم",
        "تمت المشاهدة",
        "لم يُرسل",
        "إعادة المحاولة",
        "البريد الإلكتروني",
        "حفظ",
        "تعذّر التحميل. حاول لاحقًا.",
        "جارٍ التحميل…",
        "المحادثة",
        "هذه المحادثة مغلقة.",
    ],
];

/// `word` in `locale` (`de-AT` → German); English when unknown.
pub fn t(locale: &str, word: S) -> &'static str {
    let lang = locale.split(['-', '_']).next().unwrap_or("");
    let i = LANGUAGES
        .iter()
        .position(|l| lang.eq_ignore_ascii_case(l))
        .unwrap_or(0);
    TABLE[i][word as usize]
}

/// `word` in `locale` with its one placeholder (`{n}`, `{name}` or
/// `{when}`) replaced by `value`.
pub fn fill(locale: &str, word: S, value: &str) -> String {
    let text = t(locale, word);
    match text.find('{').zip(text.find('}')) {
        Some((a, b)) if a < b => [&text[..a], value, &text[b + 1..]].concat(),
        _ => text.to_owned(),
    }
}
