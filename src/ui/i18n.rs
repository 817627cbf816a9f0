//! The SDK's own words (Next, Back, Skip, Close, "2 of 5", …) in English,
//! German, French, Spanish, Japanese and Arabic, and which locales read
//! right to left. Message content brings its own translations
//! ([`beckon_core::content::Content::localized`]).
//!
//! A table of `&'static str` indexed by language and word costs about
//! 1.5 KB of data and no formatting machinery; counts are filled by
//! replacing `{n}` and `{total}`.

/// A word or phrase of the SDK's interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// Tour: next step.
    Next = 0,
    /// Tour: previous step.
    Back,
    /// Tour: leave the tour.
    Skip,
    /// Close a panel or dialog.
    Close,
    /// Tour: the last step's button.
    Done,
    /// Close a message for good.
    Dismiss,
    /// A banner's name when it has no title.
    Announcement,
    /// A hotspot's button.
    ShowTip,
    /// The checklist's name when it has no title.
    Checklist,
    /// Tour progress: "{n} of {total}".
    StepOf,
    /// Checklist progress: "{n} of {total} done".
    TasksDone,
    /// A manual checklist task's button.
    MarkDone,
    /// Dismiss a checklist for good.
    HideChecklist,
    /// Screen-reader status of a finished task.
    DoneState,
    /// Screen-reader status of an open task.
    ToDoState,
    /// Tour: go to the page of the current step.
    Resume,
}

const WORDS: usize = 16;

/// Languages in the order of [`TABLE`]; English first, the fallback.
const LANGUAGES: [&str; 6] = ["en", "de", "fr", "es", "ja", "ar"];

const TABLE: [[&str; WORDS]; 6] = [
    [
        "Next",
        "Back",
        "Skip",
        "Close",
        "Done",
        "Dismiss",
        "Announcement",
        "Show tip",
        "Checklist",
        "{n} of {total}",
        "{n} of {total} done",
        "Mark as done",
        "Don't show again",
        "Done",
        "To do",
        "Continue the tour",
    ],
    [
        "Weiter",
        "Zurück",
        "Überspringen",
        "Schließen",
        "Fertig",
        "Ausblenden",
        "Mitteilung",
        "Hinweis anzeigen",
        "Checkliste",
        "{n} von {total}",
        "{n} von {total} erledigt",
        "Als erledigt markieren",
        "Nicht mehr anzeigen",
        "Erledigt",
        "Offen",
        "Tour fortsetzen",
    ],
    [
        "Suivant",
        "Retour",
        "Passer",
        "Fermer",
        "Terminé",
        "Ignorer",
        "Annonce",
        "Afficher l'astuce",
        "Liste de tâches",
        "{n} sur {total}",
        "{n} sur {total} terminées",
        "Marquer comme fait",
        "Ne plus afficher",
        "Fait",
        "À faire",
        "Reprendre la visite",
    ],
    [
        "Siguiente",
        "Atrás",
        "Omitir",
        "Cerrar",
        "Listo",
        "Descartar",
        "Anuncio",
        "Mostrar consejo",
        "Lista de tareas",
        "{n} de {total}",
        "{n} de {total} completadas",
        "Marcar como hecha",
        "No volver a mostrar",
        "Hecha",
        "Pendiente",
        "Continuar el recorrido",
    ],
    [
        "次へ",
        "戻る",
        "スキップ",
        "閉じる",
        "完了",
        "閉じる",
        "お知らせ",
        "ヒントを表示",
        "チェックリスト",
        "{n} / {total}",
        "{total} 件中 {n} 件完了",
        "完了にする",
        "今後表示しない",
        "完了",
        "未完了",
        "ツアーを続ける",
    ],
    [
        "التالي",
        "السابق",
        "تخطي",
        "إغلاق",
        "تم",
        "تجاهل",
        "إعلان",
        "عرض التلميح",
        "قائمة المهام",
        "{n} من {total}",
        "تم إنجاز {n} من {total}",
        "وضع علامة كمكتملة",
        "عدم الإظهار مرة أخرى",
        "مكتملة",
        "غير مكتملة",
        "متابعة الجولة",
    ],
];

/// The table row for `locale` (`de-AT` → German); English when unknown.
fn row(locale: &str) -> &'static [&'static str; WORDS] {
    let lang = locale.split(['-', '_']).next().unwrap_or("");
    let i = LANGUAGES
        .iter()
        .position(|l| lang.eq_ignore_ascii_case(l))
        .unwrap_or(0);
    &TABLE[i]
}

/// `word` in `locale`.
pub fn text(locale: &str, word: Text) -> &'static str {
    row(locale)[word as usize]
}

/// A count phrase ([`Text::StepOf`], [`Text::TasksDone`]) with its numbers.
pub fn count(locale: &str, word: Text, n: usize, total: usize) -> String {
    text(locale, word)
        .replace("{n}", &n.to_string())
        .replace("{total}", &total.to_string())
}

/// Whether `locale` is written right to left (Arabic, Hebrew, Persian, Urdu).
pub fn is_rtl(locale: &str) -> bool {
    let lang = locale.split(['-', '_']).next().unwrap_or("");
    ["ar", "he", "fa", "ur"]
        .iter()
        .any(|l| lang.eq_ignore_ascii_case(l))
}

/// `ltr` or `rtl` for `locale`, for the `dir` attribute of a surface.
pub fn dir(locale: &str) -> &'static str {
    if is_rtl(locale) {
        "rtl"
    } else {
        "ltr"
    }
}
