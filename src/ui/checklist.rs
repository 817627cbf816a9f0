//! The checklist: a launcher in the bottom corner showing progress ("2/5"
//! on a ring), and a panel listing the tasks, each with its state, its
//! description, a helping action (start a tour, open an article) and, for
//! tasks the user ticks off, a "Mark as done" button.
//!
//! Which tasks are done is the runtime's knowledge (events, attributes,
//! clicks, kept in [`super::Progress::done_tasks`] and synced with the
//! server); a task ticked off here shows as done at once and is reported
//! as [`UiEvent::TaskClicked`]. When every task is done the surface reports
//! [`UiEvent::Completed`] once: completing the list is a goal.

use beckon_core::vecmap::VecSet;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

use beckon_core::content::{ChecklistContent, DoneWhen};
use beckon_core::protocol::{Content, Message};
use gloo_events::EventListener;
use web_sys::{Document, Element};

use super::a11y::{focus, on_escape};
use super::card::{button, close_button, Listeners};
use super::i18n::{count, dir, is_rtl, text, Text};
use super::markdown::{fill_placeholders, render_div};
use super::{add, attr};
use super::{floating_host, Emit, Env, Surface, UiEvent};
use crate::dom::{document, element, set_style, ShadowHost};
use crate::error::{SdkError, SdkResult};
use crate::runtime::options::Alignment;

const CSS: &str = ".wrap{position:fixed;bottom:calc(16px + var(--bk-lift,0px));inset-inline-start:16px;display:flex;\
flex-direction:column;align-items:flex-start;gap:10px}\
.wrap.l{left:16px;right:auto}.wrap.r{right:16px;left:auto}\
.wrap.l[dir=rtl],.wrap.r[dir=ltr]{align-items:flex-end}\
[hidden]{display:none!important}\
.panel{width:min(340px,calc(100vw - 32px));max-width:none;max-height:calc(100vh - 100px - var(--bk-lift,0px));overflow:auto}\
.bar{height:6px;border-radius:3px;background:var(--bk-line);margin:8px 0 4px}\
.fill{display:block;height:100%;border-radius:3px;background:#4ade80}\
.progress{color:var(--bk-muted);font-size:13px}\
.tasks{list-style:none;margin:12px 0;padding:0;display:grid;gap:10px}\
.task{display:flex;gap:10px;align-items:flex-start}\
.check{flex:none;width:20px;height:20px;border-radius:50%;box-shadow:inset 0 0 0 2px var(--bk-muted);\
display:grid;place-items:center;font-size:12px;font-weight:700}\
.done .check{background:#4ade80;color:#14532d;box-shadow:none}\
.tt{display:block;font-weight:600}.done .tt{text-decoration:line-through;color:var(--bk-muted)}\
.task .actions{justify-content:flex-start;margin-top:6px}\
.task button{padding:3px 10px;font-size:13px}\
.launcher{display:flex;align-items:center;gap:8px;background:var(--bk-bg);border-radius:24px;\
padding:8px 14px 8px 8px;box-shadow:0 6px 20px rgba(0,0,0,.3);font-weight:600}\
.ring{width:28px;height:28px;border-radius:50%;display:grid;place-items:center;font-size:11px;\
background:conic-gradient(#4ade80 var(--p),var(--bk-line) 0)}\
.ring span{width:20px;height:20px;border-radius:50%;background:var(--bk-bg);display:grid;place-items:center}\
.foot{display:flex;justify-content:flex-end}";

struct Inner {
    doc: Document,
    emit: Emit,
    locale: String,
    attributes: serde_json::Map<String, serde_json::Value>,
    list: ChecklistContent,
    done: VecSet,
    completed: bool,
    panel: Element,
    launcher: Element,
    ring: Element,
    launcher_count: Element,
    launcher_words: Element,
    bar: Element,
    fill: Element,
    progress: Element,
    tasks: Element,
    task_listeners: Listeners,
    /// A tour was on screen at the last update.
    tour_running: bool,
    /// The panel was open when a tour started and was folded for it: it
    /// opens again when the tour is over, showing the progress made.
    folded_for_tour: bool,
    weak: Weak<RefCell<Inner>>,
}

/// A checklist on screen.
pub struct ChecklistView {
    inner: Rc<RefCell<Inner>>,
    _listeners: Listeners,
    host: ShadowHost,
}

impl ChecklistView {
    /// Draws `message` as a checklist with the progress in `env`.
    pub fn show(message: &Message, env: &Env, emit: Emit) -> SdkResult<Self> {
        let content: Content = message.content.localized(&env.locale);
        let list = content
            .checklist
            .clone()
            .ok_or_else(|| SdkError::BadArgument("a checklist needs tasks".into()))?;
        let side = if is_rtl(&env.locale) { "right" } else { "left" };
        let host = floating_host(
            "checklist",
            &[CSS],
            env,
            &[("bottom", "0"), (side, "0")],
            super::layer::PANEL,
        )?;
        let doc = document()?;
        let loc = env.locale.as_str();
        // The corner away from the messenger's launcher (by default the
        // reading start: bottom left, or bottom right in Arabic).
        let class = match env.launcher {
            Some(Alignment::Right) => "bk wrap l",
            Some(Alignment::Left) => "bk wrap r",
            None => "bk wrap",
        };
        let wrap = element(&doc, "div", class, None)?;
        attr(&wrap, "dir", dir(loc));
        attr(&wrap, "data-message-id", &message.id);
        add(host.root(), &wrap);
        let mut listeners = Vec::new();

        let title = fill_placeholders(
            content
                .title
                .as_deref()
                .unwrap_or(text(loc, Text::Checklist)),
            &env.attributes,
        );
        let panel = element(&doc, "div", "card panel bk-anim", None)?;
        attr(&panel, "role", "dialog");
        attr(&panel, "id", "panel");
        attr(&panel, "aria-labelledby", "t");
        attr(&panel, "tabindex", "-1");
        let h = element(&doc, "h2", "", Some(&title))?;
        attr(&h, "id", "t");
        add(&panel, &h);
        if !content.body.is_empty() {
            add(
                &panel,
                &render_div(&doc, "md", &content.body, &env.attributes)?,
            );
        }
        let bar = element(&doc, "div", "bar", None)?;
        attr(&bar, "role", "progressbar");
        attr(&bar, "aria-valuemin", "0");
        attr(&bar, "aria-valuemax", &list.tasks.len().to_string());
        let fill = element(&doc, "span", "fill", None)?;
        add(&bar, &fill);
        add(&panel, &bar);
        let progress = element(&doc, "div", "progress", None)?;
        attr(&progress, "aria-hidden", "true");
        add(&panel, &progress);
        let tasks = element(&doc, "ul", "tasks", None)?;
        add(&panel, &tasks);

        let launcher = element(&doc, "button", "launcher", None)?;
        attr(&launcher, "type", "button");
        attr(&launcher, "aria-controls", "panel");
        let ring = element(&doc, "span", "ring", None)?;
        attr(&ring, "aria-hidden", "true");
        let launcher_count = element(&doc, "span", "", None)?;
        add(&ring, &launcher_count);
        add(&launcher, &ring);
        add(&launcher, &element(&doc, "span", "", Some(&title))?);
        // The progress in words, for screen readers (the ring is a picture).
        let launcher_words = element(&doc, "span", "sr", None)?;
        add(&launcher, &launcher_words);

        let inner = Rc::new_cyclic(|weak| {
            RefCell::new(Inner {
                doc: doc.clone(),
                emit: emit.clone(),
                locale: env.locale.clone(),
                attributes: env.attributes.clone(),
                list,
                done: env.progress.done_tasks.clone(),
                completed: false,
                panel: panel.clone(),
                launcher: launcher.clone(),
                ring,
                launcher_count,
                launcher_words,
                bar,
                fill,
                progress,
                tasks,
                task_listeners: Vec::new(),
                tour_running: env.progress.tour_running,
                folded_for_tour: false,
                weak: weak.clone(),
            })
        });
        let weak = Rc::downgrade(&inner);
        {
            let w = weak.clone();
            close_button(
                &doc,
                &panel,
                text(loc, Text::Close),
                &mut listeners,
                move || set_open(&w, false, true),
            )?;
        }
        if content.dismissible {
            let foot = element(&doc, "div", "foot", None)?;
            let e = emit.clone();
            button(
                &doc,
                &foot,
                "secondary",
                text(loc, Text::HideChecklist),
                &mut listeners,
                move || e(UiEvent::Dismissed),
            )?;
            add(&panel, &foot);
        }
        {
            let w = weak.clone();
            listeners.push(on_escape(&panel, move || set_open(&w, false, true)));
            let w = weak.clone();
            listeners.push(EventListener::new(&launcher, "click", move |_| {
                let open = w
                    .upgrade()
                    .is_some_and(|i| !i.borrow().panel.has_attribute("hidden"));
                set_open(&w, !open, true);
            }));
        }
        add(&wrap, &panel);
        add(&wrap, &launcher);
        // Open at first sight; after that only the launcher shows until
        // asked. A tour on screen comes first: the panel would cover the
        // elements it points at (on a phone, most of the page).
        let first = !env.progress.seen_before;
        if first && env.progress.tour_running {
            if let Ok(mut i) = inner.try_borrow_mut() {
                i.folded_for_tour = true;
            }
        }
        set_open(&weak, first && !env.progress.tour_running, false);
        render(&inner)?;
        Ok(Self {
            inner,
            _listeners: listeners,
            host,
        })
    }
}

/// Opens or closes the panel; `move_focus` when the user asked (focus goes
/// into the panel, or back to the launcher).
fn set_open(weak: &Weak<RefCell<Inner>>, open: bool, move_focus: bool) {
    let Some(inner) = weak.upgrade() else { return };
    let Ok(i) = inner.try_borrow() else { return };
    if open {
        let _ = i.panel.remove_attribute("hidden");
    } else {
        let _ = i.panel.set_attribute("hidden", "");
    }
    let _ = i
        .launcher
        .set_attribute("aria-expanded", if open { "true" } else { "false" });
    if move_focus {
        focus(if open { &i.panel } else { &i.launcher });
    }
}

/// Redraws progress and the task list from `done`.
fn render(inner: &Rc<RefCell<Inner>>) -> SdkResult<()> {
    let Ok(mut i) = inner.try_borrow_mut() else {
        return Ok(());
    };
    let total = i.list.tasks.len();
    let done = i
        .list
        .tasks
        .iter()
        .filter(|t| i.done.contains(&t.id))
        .count();
    let loc = i.locale.clone();
    let words = count(&loc, Text::TasksDone, done, total);
    attr(&i.bar, "aria-valuenow", &done.to_string());
    attr(&i.bar, "aria-label", &words);
    i.progress.set_text_content(Some(&words));
    let pct = [&(done * 100 / total.max(1)).to_string(), "%"].concat();
    set_style(&i.fill, &[("width", &pct)]);
    set_style(&i.ring, &[("--p", &pct)]);
    i.launcher_count
        .set_text_content(Some(&[&done.to_string(), "/", &total.to_string()].concat()));
    i.launcher_words
        .set_text_content(Some(&[", ", words.as_str()].concat()));

    i.task_listeners.clear();
    i.tasks.set_text_content(None);
    let doc = i.doc.clone();
    let mut listeners = Vec::new();
    for task in &i.list.tasks {
        let is_done = i.done.contains(&task.id);
        let li = element(&doc, "li", if is_done { "task done" } else { "task" }, None)?;
        let check = element(
            &doc,
            "span",
            "check",
            Some(if is_done { "\u{2713}" } else { "" }),
        )?;
        attr(&check, "aria-hidden", "true");
        add(&li, &check);
        let body = element(&doc, "div", "", None)?;
        let state = text(
            &loc,
            if is_done {
                Text::DoneState
            } else {
                Text::ToDoState
            },
        );
        add(
            &body,
            &element(&doc, "span", "sr", Some(&[state, ": "].concat()))?,
        );
        let strong = element(
            &doc,
            "strong",
            "tt",
            Some(&fill_placeholders(&task.title, &i.attributes)),
        )?;
        attr(&strong, "dir", "auto");
        add(&body, &strong);
        if !task.description.is_empty() && !is_done {
            add(
                &body,
                &render_div(&doc, "md", &task.description, &i.attributes)?,
            );
        }
        if !is_done {
            let buttons = element(&doc, "div", "actions", None)?;
            if let Some(action) = &task.action {
                let (e, a, w) = (i.emit.clone(), action.clone(), i.weak.clone());
                // The help (a tour, an article) needs the room: the panel
                // folds into its launcher.
                button(
                    &doc,
                    &buttons,
                    "primary",
                    &action.label,
                    &mut listeners,
                    move || {
                        e(UiEvent::Clicked(a.clone()));
                        set_open(&w, false, false);
                    },
                )?;
            }
            if task.done_when == DoneWhen::Manual {
                let (w, id) = (i.weak.clone(), task.id.clone());
                button(
                    &doc,
                    &buttons,
                    "secondary",
                    text(&loc, Text::MarkDone),
                    &mut listeners,
                    move || tick(&w, &id),
                )?;
            }
            if buttons.child_element_count() > 0 {
                add(&body, &buttons);
            }
        }
        add(&li, &body);
        add(&i.tasks, &li);
    }
    i.task_listeners = listeners;
    if done == total && !i.completed {
        i.completed = true;
        (i.emit)(UiEvent::Completed);
    }
    Ok(())
}

/// The user ticked a task off: done here at once, reported to the runtime.
fn tick(weak: &Weak<RefCell<Inner>>, id: &str) {
    let Some(inner) = weak.upgrade() else { return };
    let emit = {
        let Ok(mut i) = inner.try_borrow_mut() else {
            return;
        };
        i.done.insert(id.to_owned());
        i.emit.clone()
    };
    emit(UiEvent::TaskClicked(id.to_owned()));
    let _ = render(&inner);
    // The button that had focus is gone; keep the user in the panel.
    let panel = inner.try_borrow().ok().map(|i| i.panel.clone());
    if let Some(panel) = panel {
        focus(&panel);
    }
}

impl ChecklistView {
    /// Folds the panel while a tour is on screen (a "Show me" task starts
    /// one), and opens it again when the tour is over if it was open.
    fn make_way_for_tours(&mut self, tour_running: bool) {
        let (weak, reopen) = {
            let Ok(mut i) = self.inner.try_borrow_mut() else {
                return;
            };
            if i.tour_running == tour_running {
                return;
            }
            i.tour_running = tour_running;
            if tour_running {
                i.folded_for_tour = !i.panel.has_attribute("hidden");
                (i.weak.clone(), Some(false))
            } else {
                let reopen = std::mem::take(&mut i.folded_for_tour);
                (i.weak.clone(), reopen.then_some(true))
            }
        };
        if let Some(open) = reopen {
            set_open(&weak, open, false);
        }
    }
}

impl Surface for ChecklistView {
    fn bottom_corner(&self) -> Option<&web_sys::HtmlElement> {
        Some(self.host.host())
    }

    fn update(&mut self, env: &Env) -> SdkResult<()> {
        self.make_way_for_tours(env.progress.tour_running);
        {
            let Ok(mut i) = self.inner.try_borrow_mut() else {
                return Ok(());
            };
            // Inserted, not collected: `collect` into a set sorts first.
            let mut merged = i.done.clone();
            merged.extend(env.progress.done_tasks.iter().cloned());
            if merged == i.done {
                return Ok(());
            }
            i.done = merged;
        }
        render(&self.inner)
    }
}
