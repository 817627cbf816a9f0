//! What a message says and offers: the content of every surface (banner,
//! tooltip, hotspot, checklist, tour, post). Text fields are Markdown in a
//! safe subset ([`markdown`]) that the SDK builds as DOM nodes, never as
//! HTML.
//!
//! One [`Content`] shape serves every kind: the fields all surfaces share
//! (title, body, action, dismissible) at the top, each kind's own part in a
//! section of its own (`anchor`, `checklist`, `tour`), and translations in
//! `locales`. Every struct refuses unknown fields, so the server answers a
//! misspelt field with a 422 naming it; [`Content::check`] then says what a
//! kind needs beyond its shape (a tooltip needs an anchor, a tour steps).
//!
//! The pure functions the runtime calls also live here, so they are tested
//! natively: [`Content::localized`], [`checklist_done`],
//! [`TourContent::advance_on_event`] and [`page_matches`].

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{self, FromJson};
use crate::vecmap::{VecMap, VecSet};

use crate::condition::{Condition, SavedGroups};
use crate::protocol::MessageKind;
use crate::state::UserState;

pub mod markdown;

/// Where a banner sits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum BannerPosition {
    /// Across the top of the viewport.
    #[default]
    Top,
    /// Across the bottom of the viewport.
    Bottom,
}

/// Where a post sits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum PostLayout {
    /// In the middle of the viewport over a dimmed page: a modal dialog.
    #[default]
    Center,
    /// In the bottom corner (the inline end), leaving the page usable.
    Corner,
}

/// The content of a message. Text fields are Markdown in a safe subset that
/// the SDK builds as DOM nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct Content {
    /// A short heading (plain text; placeholders are filled in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The main text.
    #[serde(default)]
    pub body: String,
    /// Banner placement.
    #[serde(default)]
    pub position: BannerPosition,
    /// Banner: a CSS selector of an element the app placed (and sized) for
    /// the banner, which is then drawn inside it, in the page's flow; absent
    /// or not found: the banner floats over the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    /// Whether the user may close it (most messages: yes).
    #[serde(default = "yes")]
    pub dismissible: bool,
    /// The button, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// More buttons after `action` (posts), drawn less prominently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<Action>,
    /// An image above the text (posts, tooltips): http(s) or relative URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The image's text alternative; absent: decorative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_alt: Option<String>,
    /// Post placement.
    #[serde(default)]
    pub layout: PostLayout,
    /// Tooltips and hotspots: the element they point at and when they open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<Anchor>,
    /// Checklists: the tasks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist: Option<ChecklistContent>,
    /// Tours: the steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tour: Option<TourContent>,
    /// Translations by locale (`de`, `pt-BR`); what is missing in one falls
    /// back to the fields above.
    #[serde(default, skip_serializing_if = "VecMap::is_empty")]
    pub locales: VecMap<Translation>,
}

fn yes() -> bool {
    true
}

/// The same defaults as an empty JSON object gets: dismissible.
impl Default for Content {
    fn default() -> Self {
        Self {
            title: None,
            body: String::new(),
            position: BannerPosition::default(),
            slot: None,
            dismissible: true,
            action: None,
            actions: Vec::new(),
            image: None,
            image_alt: None,
            layout: PostLayout::default(),
            anchor: None,
            checklist: None,
            tour: None,
            locales: VecMap::new(),
        }
    }
}

/// Which side of its element a tooltip prefers; it flips to the opposite
/// side when there is no room.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Above.
    Top,
    /// Below.
    #[default]
    Bottom,
    /// On the left.
    Left,
    /// On the right.
    Right,
}

/// When an anchored tooltip opens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum ShowOn {
    /// As soon as its element is on screen.
    #[default]
    Immediately,
    /// While the pointer rests on the element (or the hotspot).
    Hover,
    /// When the element (or the hotspot) is clicked.
    Click,
    /// While the element has keyboard focus (and on hover, so mouse users
    /// see it too).
    Focus,
}

/// The element a tooltip or hotspot belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    /// CSS selector of the element; the first match is used.
    pub selector: String,
    /// The preferred side.
    #[serde(default)]
    pub placement: Placement,
    /// When the tooltip opens. For hotspots, what opens it from the dot
    /// (`immediately` is taken as `click`).
    #[serde(default)]
    pub show_on: ShowOn,
}

/// A checklist: tasks with progress.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct ChecklistContent {
    /// The tasks, in order.
    pub tasks: Vec<Task>,
}

/// One task of a checklist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Stable id, kept in the user's progress.
    pub id: String,
    /// What to do (plain text).
    pub title: String,
    /// More words (Markdown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// What marks it done.
    pub done_when: DoneWhen,
    /// A button that helps do it: start a tour, open an article…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
}

/// What marks a task done. (Read through [`FromJson`]: serde's derive of an
/// internally tagged enum buffers the object in its `Content` tree, a
/// second deserializer in the wasm.)
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum DoneWhen {
    /// The app tracked this event (`count` times, default once).
    Event {
        /// The event's name, as passed to `track`.
        name: String,
        /// How many times.
        #[serde(default = "one")]
        count: u32,
    },
    /// The user's attributes match a GrowthBook condition.
    Attribute {
        /// The condition, e.g. `{"team_size": {"$gte": 2}}`.
        condition: Value,
    },
    /// The user clicked an element of the app matched by this selector.
    Click {
        /// CSS selector.
        selector: String,
    },
    /// The user ticks it off in the checklist.
    Manual,
}

fn one() -> u32 {
    1
}

crate::deserialize_with_from_json!(DoneWhen);

/// A tour: steps, possibly on several pages.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct TourContent {
    /// The steps, in order.
    pub steps: Vec<TourStep>,
}

/// How a tour step is drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, FromJson)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A bubble pointing at `selector`.
    #[default]
    Tooltip,
    /// A dialog in the middle of the page.
    Modal,
}

/// What moves a tour past a step. (Read through [`FromJson`], as
/// [`DoneWhen`].)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, FromJson)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum AdvanceOn {
    /// The Next button.
    #[default]
    Next,
    /// The user clicks the step's element (the Next button is hidden).
    Click,
    /// The app tracks this event.
    Event {
        /// The event's name.
        name: String,
    },
}

crate::deserialize_with_from_json!(AdvanceOn);

/// One step of a tour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct TourStep {
    /// Tooltip or modal.
    #[serde(default)]
    pub kind: StepKind,
    /// Heading (plain text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Text (Markdown).
    #[serde(default)]
    pub body: String,
    /// The element a tooltip step points at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    /// Preferred side of the element.
    #[serde(default)]
    pub placement: Placement,
    /// The path of the page the step lives on (`/pricing.html`); the tour
    /// goes there when it reaches the step. Absent: any page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// What moves the tour on.
    #[serde(default)]
    pub advance_on: AdvanceOn,
}

impl TourStep {
    /// Whether the step is a dialog in the middle of the page (a modal step,
    /// or one with no element to point at), which takes focus as it opens.
    pub fn is_modal(&self) -> bool {
        self.kind == StepKind::Modal || self.selector.is_none()
    }
}

/// The words of a message in one locale; what is absent falls back to the
/// message's own fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct Translation {
    /// The title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The label of `action`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Labels of `actions`, by position.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// The image's text alternative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_alt: Option<String>,
    /// Checklist tasks by id.
    #[serde(default, skip_serializing_if = "VecMap::is_empty")]
    pub tasks: VecMap<TextPair>,
    /// Tour steps by position.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<TextPair>,
}

/// A translated heading and text (a task's title and description, a step's
/// title and body).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, FromJson)]
#[serde(deny_unknown_fields)]
pub struct TextPair {
    /// Heading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

fn put(slot: &mut String, value: &Option<String>) {
    if let Some(v) = value {
        slot.clone_from(v);
    }
}

fn put_opt(slot: &mut Option<String>, value: &Option<String>) {
    if value.is_some() {
        slot.clone_from(value);
    }
}

impl Content {
    /// The content in `locale` (`de-AT` uses `de-AT`, else `de`), each
    /// missing text falling back to the default; `locales` is emptied.
    pub fn localized(&self, locale: &str) -> Content {
        let mut out = self.clone();
        out.locales = VecMap::new();
        let wanted = locale.to_ascii_lowercase().replace('_', "-");
        let language = wanted.split('-').next().unwrap_or("");
        let find = |key: &str| {
            self.locales
                .iter()
                .find(|(k, _)| k.to_ascii_lowercase().replace('_', "-") == key)
                .map(|(_, t)| t)
        };
        let Some(t) = find(&wanted).or_else(|| find(language)) else {
            return out;
        };
        put_opt(&mut out.title, &t.title);
        put(&mut out.body, &t.body);
        put_opt(&mut out.image_alt, &t.image_alt);
        if let (Some(a), Some(label)) = (&mut out.action, &t.action) {
            a.label.clone_from(label);
        }
        for (a, label) in out.actions.iter_mut().zip(&t.actions) {
            a.label.clone_from(label);
        }
        if let Some(list) = &mut out.checklist {
            for task in &mut list.tasks {
                if let Some(p) = t.tasks.get(&task.id) {
                    put(&mut task.title, &p.title);
                    put(&mut task.description, &p.body);
                }
            }
        }
        if let Some(tour) = &mut out.tour {
            for (step, p) in tour.steps.iter_mut().zip(&t.steps) {
                put_opt(&mut step.title, &p.title);
                put(&mut step.body, &p.body);
            }
        }
        out
    }

    /// What `kind` needs beyond the shape serde checks: `Err((field,
    /// reason))` naming the first fault, for the server's 422.
    pub fn check(&self, kind: MessageKind) -> Result<(), (String, String)> {
        let fault = |field: &str, reason: &str| Err((field.to_owned(), reason.to_owned()));
        let image_ok = self
            .image
            .as_deref()
            .is_none_or(markdown::is_safe_image_url);
        if !image_ok {
            return fault("content.image", "an http(s) or relative URL");
        }
        match kind {
            MessageKind::Tooltip | MessageKind::Hotspot => match &self.anchor {
                Some(a) if !a.selector.trim().is_empty() => {}
                _ => return fault("content.anchor.selector", "a CSS selector is required"),
            },
            MessageKind::Checklist => {
                let tasks = self.checklist.as_ref().map_or(&[][..], |c| &c.tasks[..]);
                if tasks.is_empty() {
                    return fault("content.checklist.tasks", "at least one task");
                }
                let mut ids: Vec<&str> = Vec::new();
                for (i, task) in tasks.iter().enumerate() {
                    let at = ["content.checklist.tasks[", &i.to_string(), "]"].concat();
                    if task.id.trim().is_empty() || ids.contains(&task.id.as_str()) {
                        return fault(&[&at, ".id"].concat(), "a non-empty id, unique in the list");
                    }
                    ids.push(&task.id);
                    if let DoneWhen::Attribute { condition } = &task.done_when {
                        if let Err(e) = Condition::compile(condition) {
                            return fault(&[&at, ".done_when.condition"].concat(), &e.to_string());
                        }
                    }
                }
            }
            MessageKind::Tour => {
                let steps = self.tour.as_ref().map_or(&[][..], |t| &t.steps[..]);
                if steps.is_empty() {
                    return fault("content.tour.steps", "at least one step");
                }
                for (i, step) in steps.iter().enumerate() {
                    let needs_element =
                        step.kind == StepKind::Tooltip || step.advance_on == AdvanceOn::Click;
                    if needs_element && step.selector.as_deref().is_none_or(|s| s.trim().is_empty())
                    {
                        let at = ["content.tour.steps[", &i.to_string(), "].selector"].concat();
                        return fault(
                            &at,
                            "tooltip steps and click-to-advance steps need a selector",
                        );
                    }
                }
            }
            MessageKind::Banner | MessageKind::Post => {}
        }
        Ok(())
    }
}

/// The tasks of `list` that are done now: those already in `clicked` (ticked
/// off in the list, or whose element the user clicked: the runtime keeps
/// them by task id), those whose event the app tracked often enough, and
/// those whose attribute condition matches. The runtime unions the result
/// with the progress it stored, so a task stays done once done.
pub fn checklist_done(
    list: &ChecklistContent,
    state: &UserState,
    attributes: &Value,
    clicked: &VecSet,
) -> VecSet {
    let groups = SavedGroups::default();
    // Inserted one by one: `collect` into a set sorts first, which put a
    // merge sort into the wasm for this alone.
    let mut done = VecSet::new();
    let finished = list.tasks.iter().filter(|task| {
        clicked.contains(&task.id)
            || match &task.done_when {
                DoneWhen::Event { name, count } => state.event_count(name, None) >= *count,
                DoneWhen::Attribute { condition } => {
                    Condition::compile(condition).is_ok_and(|c| c.eval(attributes, &groups))
                }
                DoneWhen::Click { .. } | DoneWhen::Manual => false,
            }
    });
    for task in finished {
        done.insert(task.id.clone());
    }
    done
}

impl ChecklistContent {
    /// `(task id, selector)` of the tasks done by clicking an element of the
    /// app: the runtime watches these and adds the task id to `clicked`.
    pub fn click_selectors(&self) -> impl Iterator<Item = (&str, &str)> {
        self.tasks.iter().filter_map(|t| match &t.done_when {
            DoneWhen::Click { selector } => Some((t.id.as_str(), selector.as_str())),
            _ => None,
        })
    }

    /// Whether every task is in `done`: the list is complete (a goal).
    pub fn is_complete(&self, done: &VecSet) -> bool {
        self.tasks.iter().all(|t| done.contains(&t.id))
    }
}

impl TourContent {
    /// The step after `step` if the app's event `name` is what `step`
    /// waits for; the runtime calls it for every tracked event while a
    /// tour is running and stores the answer as the tour's step (the last
    /// step advancing gives `steps.len()`: the tour is complete).
    pub fn advance_on_event(&self, step: usize, name: &str) -> Option<usize> {
        match &self.steps.get(step)?.advance_on {
            AdvanceOn::Event { name: wanted } if wanted == name => Some(step + 1),
            _ => None,
        }
    }

    /// Whether `step` belongs on the page at `url`.
    pub fn step_is_on(&self, step: usize, url: &str) -> bool {
        self.steps
            .get(step)
            .is_some_and(|s| s.page.as_deref().is_none_or(|p| page_matches(p, url)))
    }
}

/// Whether `url` (absolute or a path) is the page `page` (a path such as
/// `/pricing.html`, or an absolute URL): same path, ignoring the query, the
/// fragment, a trailing slash and a trailing `index.html`.
pub fn page_matches(page: &str, url: &str) -> bool {
    fn path(u: &str) -> &str {
        let u = u.split(['?', '#']).next().unwrap_or(u);
        let u = match u.find("://") {
            Some(i) => u[i + 3..].find('/').map_or("/", |s| &u[i + 3 + s..]),
            None => u,
        };
        let u = u.strip_suffix("index.html").unwrap_or(u);
        u.strip_suffix('/').unwrap_or(u)
    }
    path(page) == path(url)
}

/// Where a tour goes for a step on `page` from `current` (the page's URL):
/// the step's page with the current query kept when the step's page has
/// none, so the app's own state in the query (`?user=…`) survives.
pub fn step_url(page: &str, current: &str) -> String {
    if page.contains('?') || page.contains("://") {
        return page.to_owned();
    }
    let query = current
        .split('#')
        .next()
        .and_then(|u| u.find('?').map(|i| &u[i..]))
        .unwrap_or("");
    [page, query].concat()
}

/// A button on a message and what it does. (Not `deny_unknown_fields`:
/// serde cannot combine it with the flattened target; other members are
/// ignored. Read by hand through [`FromJson`]: the same documents as the
/// derive with `#[serde(flatten)]` accepted.)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// The button's text.
    pub label: String,
    /// Where it leads.
    #[serde(flatten)]
    pub target: ActionTarget,
}

/// What an action does when clicked. (Read through [`FromJson`], as
/// [`DoneWhen`]; other members ignored.)
#[derive(Debug, Clone, PartialEq, Serialize, FromJson)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ActionTarget {
    /// Open a URL (http(s), mailto or relative only).
    Url {
        /// The address.
        url: String,
    },
    /// Open a knowledge-base article in the messenger.
    Article {
        /// The article's id.
        article_id: String,
    },
    /// Start a tour.
    Tour {
        /// The tour message's id.
        message_id: String,
    },
    /// Open the messenger, optionally with a prefilled message.
    Messenger {
        /// Text to prefill.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
}

impl FromJson for Action {
    fn from_json(value: Value) -> Result<Self, json::Error> {
        // As serde's flatten: the struct's own field first, then the
        // flattened enum from the other members.
        let mut fields = json::Fields::of(value, "struct Action")?;
        let label = fields.need("label")?;
        Ok(Action {
            label,
            target: ActionTarget::from_json(fields.into_rest())?,
        })
    }
}

crate::deserialize_with_from_json!(ActionTarget);
crate::deserialize_with_from_json!(Action);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{event_names, Event};
    use serde_json::json;

    fn content(v: Value) -> Content {
        serde_json::from_value(v).expect("content")
    }

    fn checklist() -> Content {
        content(json!({
            "title": "Get started",
            "checklist": {"tasks": [
                {"id": "report", "title": "Create a report", "done_when": {"type": "event", "name": "report_created", "count": 2}},
                {"id": "team", "title": "Invite your team", "done_when": {"type": "attribute", "condition": {"team_size": {"$gte": 2}}},
                 "action": {"label": "How", "type": "article", "article_id": "invite-team"}},
                {"id": "pricing", "title": "See plans", "done_when": {"type": "click", "selector": "#plans"}},
                {"id": "hello", "title": "Say hello", "done_when": {"type": "manual"}}
            ]},
            "locales": {"de": {"title": "Los geht's", "tasks": {"team": {"title": "Team einladen"}}}}
        }))
    }

    fn app_event(id: &str, name: &str) -> Event {
        Event {
            id: id.into(),
            name: name.into(),
            ts: 1.0,
            message_id: None,
            data: Default::default(),
        }
    }

    /// The derives the hand-written `Deserialize`s replaced, kept to check
    /// that both accept and refuse the same documents with the same texts.
    mod derived {
        use serde::{Deserialize, Serialize};
        use serde_json::Value;

        fn one() -> u32 {
            1
        }

        #[derive(Debug, Serialize, Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
        pub enum DoneWhen {
            Event {
                name: String,
                #[serde(default = "one")]
                count: u32,
            },
            Attribute {
                condition: Value,
            },
            Click {
                selector: String,
            },
            Manual,
        }

        #[derive(Debug, Serialize, Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
        pub enum AdvanceOn {
            Next,
            Click,
            Event { name: String },
        }

        #[derive(Debug, Serialize, Deserialize)]
        pub struct Action {
            pub label: String,
            #[serde(flatten)]
            pub target: ActionTarget,
        }

        #[derive(Debug, Serialize, Deserialize)]
        #[serde(tag = "type", rename_all = "snake_case")]
        pub enum ActionTarget {
            Url {
                url: String,
            },
            Article {
                article_id: String,
            },
            Tour {
                message_id: String,
            },
            Messenger {
                #[serde(default, skip_serializing_if = "Option::is_none")]
                text: Option<String>,
            },
        }
    }

    fn same<A, B>(docs: &[Value])
    where
        A: serde::de::DeserializeOwned + Serialize,
        B: serde::de::DeserializeOwned + Serialize,
    {
        for doc in docs {
            let ours = serde_json::from_value::<A>(doc.clone())
                .map(|v| serde_json::to_value(v).expect("json"))
                .map_err(|e| e.to_string());
            let theirs = serde_json::from_value::<B>(doc.clone())
                .map(|v| serde_json::to_value(v).expect("json"))
                .map_err(|e| e.to_string());
            assert_eq!(ours, theirs, "{doc}");
        }
    }

    #[test]
    fn tagged_content_reads_as_the_derive_read_it() {
        same::<DoneWhen, derived::DoneWhen>(&[
            json!({"type": "event", "name": "x"}),
            json!({"type": "event", "name": "x", "count": 2}),
            json!({"type": "event", "name": "x", "times": 2}),
            json!({"type": "event"}),
            json!({"type": "attribute", "condition": {"plan": "pro"}}),
            json!({"type": "attribute", "condition": null}),
            json!({"type": "attribute"}),
            json!({"type": "click", "selector": "#a"}),
            json!({"type": "click", "selector": 1}),
            json!({"type": "manual"}),
            json!({"type": "manual", "x": 1}),
            json!({"type": "magic"}),
            json!({}),
        ]);
        same::<AdvanceOn, derived::AdvanceOn>(&[
            json!({"type": "next"}),
            json!({"type": "click"}),
            json!({"type": "event", "name": "x"}),
            json!({"type": "event", "name": "x", "n": 1}),
            json!({"type": "event"}),
            json!({"type": "swipe"}),
        ]);
        same::<Action, derived::Action>(&[
            json!({"label": "Go", "type": "url", "url": "/p"}),
            json!({"label": "Go", "type": "url", "url": "/p", "extra": true}),
            json!({"label": "Go", "type": "article", "article_id": "a1"}),
            json!({"label": "Go", "type": "tour", "message_id": "m1"}),
            json!({"label": "Go", "type": "messenger"}),
            json!({"label": "Go", "type": "messenger", "text": null}),
            json!({"label": "Go", "type": "messenger", "text": "hi"}),
            json!({"label": "Go", "type": "url"}),
            json!({"label": "Go", "type": "fly"}),
            json!({"label": "Go"}),
            json!({"type": "url", "url": "/p"}),
            json!({"label": 3, "type": "url", "url": "/p"}),
        ]);
    }

    #[test]
    fn unknown_fields_are_refused_with_their_name() {
        for bad in [
            json!({"titel": "x"}),
            json!({"anchor": {"selector": "#a", "side": "top"}}),
            json!({"checklist": {"tasks": [{"id": "a", "title": "A", "done_when": {"type": "event", "name": "x", "times": 2}}]}}),
            json!({"tour": {"steps": [{"body": "x", "advance": "click"}]}}),
            json!({"locales": {"de": {"titel": "x"}}}),
        ] {
            let err = serde_json::from_value::<Content>(bad.clone()).expect_err("refused");
            assert!(err.to_string().contains("unknown field"), "{bad}: {err}");
        }
    }

    #[test]
    fn checklist_tasks_are_done_by_event_attribute_and_click() {
        let c = checklist();
        let list = c.checklist.as_ref().expect("list");
        let mut state = UserState::default();
        let none = VecSet::new();
        assert!(checklist_done(list, &state, &json!({}), &none).is_empty());
        state.apply(&app_event("1", "report_created"));
        assert!(
            checklist_done(list, &state, &json!({}), &none).is_empty(),
            "needs 2"
        );
        state.apply(&app_event("2", "report_created"));
        state.apply(&Event {
            message_id: Some("m".into()),
            ..app_event("3", event_names::SHOWN)
        });
        let done = checklist_done(list, &state, &json!({"team_size": 3}), &none);
        assert_eq!(done, VecSet::from(["report".to_owned(), "team".to_owned()]));
        let clicked = VecSet::from(["pricing".to_owned(), "hello".to_owned()]);
        let all = checklist_done(list, &state, &json!({"team_size": 3}), &clicked);
        assert!(list.is_complete(&all));
        assert!(!list.is_complete(&done));
        assert_eq!(
            list.click_selectors().collect::<Vec<_>>(),
            vec![("pricing", "#plans")]
        );
    }

    #[test]
    fn localized_falls_back_field_by_field() {
        let c = checklist();
        let de = c.localized("de-AT");
        assert_eq!(de.title.as_deref(), Some("Los geht's"));
        let tasks = &de.checklist.as_ref().expect("list").tasks;
        assert_eq!(tasks[1].title, "Team einladen");
        assert_eq!(
            tasks[0].title, "Create a report",
            "untranslated task falls back"
        );
        assert!(de.locales.is_empty());
        assert_eq!(c.localized("fr").title.as_deref(), Some("Get started"));
        let banner = content(json!({
            "title": "Hi", "body": "Body", "action": {"label": "Go", "type": "url", "url": "/x"},
            "locales": {"pt-BR": {"body": "Corpo", "action": "Ir"}, "pt": {"title": "Olá"}}
        }));
        let br = banner.localized("pt_br");
        assert_eq!(
            (br.title.as_deref(), br.body.as_str()),
            (Some("Hi"), "Corpo")
        );
        assert_eq!(br.action.as_ref().map(|a| a.label.as_str()), Some("Ir"));
        assert_eq!(banner.localized("pt-PT").title.as_deref(), Some("Olá"));
    }

    #[test]
    fn tours_advance_on_their_event_and_know_their_page() {
        let c = content(json!({"tour": {"steps": [
            {"kind": "modal", "title": "Welcome", "body": "Hi"},
            {"selector": "#new-report", "page": "/", "advance_on": {"type": "event", "name": "report_created"}},
            {"selector": "#plans", "page": "/pricing.html", "advance_on": {"type": "click"}}
        ]}}));
        let tour = c.tour.as_ref().expect("tour");
        assert_eq!(tour.advance_on_event(1, "report_created"), Some(2));
        assert_eq!(tour.advance_on_event(0, "report_created"), None);
        assert_eq!(tour.advance_on_event(1, "other"), None);
        assert_eq!(tour.advance_on_event(9, "report_created"), None);
        assert!(tour.step_is_on(0, "https://a.b/anything"));
        assert!(tour.step_is_on(1, "https://a.b/index.html?user=x"));
        assert!(!tour.step_is_on(2, "https://a.b/?user=x"));
        assert!(tour.step_is_on(2, "http://h:1/pricing.html#plans"));
        assert_eq!(
            step_url("/pricing.html", "http://h/?user=ann#x"),
            "/pricing.html?user=ann"
        );
        assert_eq!(step_url("/p?a=1", "http://h/?user=ann"), "/p?a=1");
        assert_eq!(step_url("/p", "http://h/"), "/p");
        assert_eq!(c.check(MessageKind::Tour), Ok(()));
    }

    #[test]
    fn check_names_what_a_kind_is_missing() {
        let field = |c: &Content, k| c.check(k).expect_err("fault").0;
        assert_eq!(
            field(&Content::default(), MessageKind::Tooltip),
            "content.anchor.selector"
        );
        assert_eq!(
            field(&Content::default(), MessageKind::Checklist),
            "content.checklist.tasks"
        );
        assert_eq!(
            field(&Content::default(), MessageKind::Tour),
            "content.tour.steps"
        );
        let step = content(json!({"tour": {"steps": [{"body": "x"}]}}));
        assert_eq!(
            field(&step, MessageKind::Tour),
            "content.tour.steps[0].selector"
        );
        let dup = content(json!({"checklist": {"tasks": [
            {"id": "a", "title": "A", "done_when": {"type": "manual"}},
            {"id": "a", "title": "B", "done_when": {"type": "manual"}}]}}));
        assert_eq!(
            field(&dup, MessageKind::Checklist),
            "content.checklist.tasks[1].id"
        );
        let bad_cond = content(json!({"checklist": {"tasks": [
            {"id": "a", "title": "A", "done_when": {"type": "attribute", "condition": null}}]}}));
        assert_eq!(
            field(&bad_cond, MessageKind::Checklist),
            "content.checklist.tasks[0].done_when.condition"
        );
        let img = content(json!({"image": "javascript:alert(1)"}));
        assert_eq!(field(&img, MessageKind::Post), "content.image");
        assert_eq!(checklist().check(MessageKind::Checklist), Ok(()));
        assert_eq!(Content::default().check(MessageKind::Banner), Ok(()));
    }
}
