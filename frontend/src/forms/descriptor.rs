//! Forms as data: a field is a [`FieldDef`] (path name, label and help keys, when it
//! shows, how it reads and writes its part of the form), and one generic renderer
//! turns a table of them into field components.
//!
//! Why: a hand-written `view!` per field would repeat the same frame, touch and
//! validation wiring a hundred times and grow the wasm with each copy; a table is
//! rendered by one function per kind of target (the whole intake, one household
//! member, one child at risk). Skip logic is `shared`'s `shows_*` functions, named
//! in the tables; validation is `shared::forms::check`, run on every change.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use shared::forms::check;
use shared::forms::codes::Code;
use shared::forms::household::Member;
use shared::forms::household::MemberKey;
use shared::forms::intake::{ChildAtRisk, FamilyIntake};
use shared::record::Date;
use shared::validate::{FieldError, FieldProblem};
use wasm_bindgen::JsCast;

use crate::forms::fields::{DateField, Frame, SelectField, TextField, YesNo};
use crate::forms::summary::field_id;

/// What makes one kind of form different from another for [`FormState`]: how a
/// problem's path becomes a DOM id, which date ages are counted on, and which answers
/// skip logic hides (dropped on every change, so a hidden answer is never sealed).
pub struct Rules<F: 'static> {
    /// The DOM id prefix of the form's fields (`f-` intake, `c-` consent…), so two
    /// forms on one page never share an id.
    pub prefix: &'static str,
    /// The DOM id of the field at a problem's path (`household[2].sex`).
    pub field_id: fn(&str, &F) -> String,
    /// The date ages are counted on, given the device's today.
    pub on: fn(&F, Date) -> Date,
    /// Drops answers of fields skip logic now hides.
    pub prune: fn(&mut F, Date),
}

/// The intake's rules.
pub static INTAKE_RULES: Rules<FamilyIntake> = Rules {
    prefix: "f-",
    field_id: |path, f| field_id(path, f),
    on: |f, today| shared::forms::form_day(f.meta.date, today),
    prune: |f, today| f.prune_hidden(today),
};

/// The live state of one form (the intake by default; consent, follow-up and closure
/// too): the answers, which fields were touched, and the problems `shared` finds in
/// them (recomputed on every change).
pub struct FormState<F: 'static = FamilyIntake> {
    pub form: RwSignal<F>,
    /// The device's date, read once when the form opens (validation's "today").
    pub today: Date,
    /// Set by a save attempt: every problem shows, with the summary.
    pub attempted: RwSignal<bool>,
    touched: RwSignal<HashSet<String>>,
    /// Every problem with the id of its field, in form order.
    pub problems: Memo<Vec<(FieldError, String)>>,
    by_id: Memo<HashMap<String, FieldProblem>>,
    rules: &'static Rules<F>,
}

impl<F> Clone for FormState<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for FormState<F> {}

impl FormState<FamilyIntake> {
    /// An intake form's state, checked by `shared::forms::check::intake`.
    pub fn new(form: RwSignal<FamilyIntake>, today: Date) -> Self {
        Self::with_rules(form, today, &INTAKE_RULES, check::intake)
    }
}

impl<F: Send + Sync + 'static> FormState<F> {
    /// A form's state under `rules`, checked by `check` (which may read signals, e.g.
    /// the case's consent state, and is re-run when they change).
    pub fn with_rules(
        form: RwSignal<F>,
        today: Date,
        rules: &'static Rules<F>,
        check: impl Fn(&F, Date) -> Vec<FieldError> + Send + Sync + 'static,
    ) -> Self {
        let problems = Memo::new(move |_| {
            form.with(|f| {
                check(f, today)
                    .into_iter()
                    .map(|e| {
                        let id = (rules.field_id)(&e.field, f);
                        (e, id)
                    })
                    .collect::<Vec<_>>()
            })
        });
        let by_id = Memo::new(move |_| {
            let mut m = HashMap::new();
            problems.with(|ps| {
                for (e, id) in ps {
                    m.entry(id.clone()).or_insert(e.problem);
                }
            });
            m
        });
        Self {
            form,
            today,
            attempted: RwSignal::new(false),
            touched: RwSignal::new(HashSet::new()),
            problems,
            by_id,
            rules,
        }
    }

    /// The date the form's ages are counted on (the intake's date, or today).
    pub fn on(&self) -> Date {
        let today = self.today;
        self.form.with(|f| (self.rules.on)(f, today))
    }

    /// The DOM id of a field of the whole form (`meta.date` → `f-meta-date`).
    pub fn id(&self, name: &str) -> String {
        format!("{}{}", self.rules.prefix, name.replace('.', "-"))
    }

    /// Starts the form again with `value`, no field touched and no save attempted
    /// (after a save, the next family's form opens empty and quiet).
    pub fn reset(&self, value: F) {
        self.attempted.set(false);
        self.touched.set(HashSet::new());
        self.form.set(value);
    }

    /// Marks the field `id` as touched: its problem shows from now on.
    pub fn touch(&self, id: &str) {
        if !self.touched.with_untracked(|t| t.contains(id)) {
            self.touched.update(|t| {
                t.insert(id.to_owned());
            });
        }
    }

    /// The problem to show beside the field `id`: once it was touched or a save was
    /// attempted.
    pub fn problem(&self, id: String) -> Signal<Option<FieldProblem>> {
        let this = *self;
        memo(move || {
            if !this.attempted.get() && !this.touched.with(|t| t.contains(&id)) {
                return None;
            }
            this.by_id.with(|m| m.get(&id).copied())
        })
    }

    /// Changes the answers, then drops answers of fields that skip logic now hides (a
    /// hidden answer is never sealed).
    pub fn update(&self, f: impl FnOnce(&mut F)) {
        let today = self.today;
        let prune = self.rules.prune;
        self.form.update(|form| {
            f(form);
            prune(form, today);
        });
    }
}

/// How a field reads and writes its part of a target of type `T`.
pub enum Control<T: 'static> {
    Text(fn(&T) -> &String, fn(&mut T) -> &mut String),
    LongText(fn(&T) -> &String, fn(&mut T) -> &mut String),
    Date(fn(&T) -> Option<Date>, fn(&mut T, Option<Date>)),
    /// A code list: its name, the codes offered now (skip logic may narrow them),
    /// the chosen code, and how to store a code.
    Select {
        list: &'static str,
        options: fn(&T, Date) -> Vec<&'static str>,
        get: fn(&T) -> Option<&'static str>,
        set: fn(&mut T, Option<&str>),
    },
    YesNo(fn(&T) -> bool, fn(&mut T, bool)),
    /// A small whole number (years, a count): digits only, `None` while empty.
    Number(fn(&T) -> Option<u32>, fn(&mut T, Option<u32>)),
}

/// One field of a form, as data.
pub struct FieldDef<T: 'static> {
    /// The path below the target (`document.number`); also the DOM id's tail.
    pub name: &'static str,
    /// Catalog key of the label.
    pub label: &'static str,
    /// Catalog key of the help text.
    pub help: Option<&'static str>,
    /// When the field shows (skip logic); always when `None`.
    pub shows: Option<fn(&T, Date) -> bool>,
    pub control: Control<T>,
}

/// Every code of a list, as its stored strings, in display order.
pub fn codes<C: Code>() -> Vec<&'static str> {
    C::all().iter().map(|&c| Code::code(c)).collect()
}

/// A text field reading and writing `t.a.b`.
macro_rules! text_field {
    ($T:ty, $name:literal, $label:literal, $($f:ident).+) => {
        $crate::forms::descriptor::FieldDef::<$T> {
            name: $name, label: $label, help: None, shows: None,
            control: $crate::forms::descriptor::Control::Text(|t: &$T| &t.$($f).+, |t: &mut $T| &mut t.$($f).+),
        }
    };
}

/// A multi-line text field reading and writing `t.a.b`.
macro_rules! long_field {
    ($T:ty, $name:literal, $label:literal, $($f:ident).+) => {
        $crate::forms::descriptor::FieldDef::<$T> {
            name: $name, label: $label, help: None, shows: None,
            control: $crate::forms::descriptor::Control::LongText(|t: &$T| &t.$($f).+, |t: &mut $T| &mut t.$($f).+),
        }
    };
}

/// A select over the whole code list `C`, reading and writing `t.a.b: Option<C>`.
macro_rules! code_field {
    ($T:ty, $C:ty, $name:literal, $label:literal, $($f:ident).+) => {
        $crate::forms::descriptor::FieldDef::<$T> {
            name: $name, label: $label, help: None, shows: None,
            control: $crate::forms::descriptor::Control::Select {
                list: <$C as shared::forms::codes::Code>::LIST,
                options: |_, _| $crate::forms::descriptor::codes::<$C>(),
                get: |t: &$T| t.$($f).+.map(shared::forms::codes::Code::code),
                set: |t: &mut $T, c| t.$($f).+ = c.and_then(<$C as shared::forms::codes::Code>::from_code),
            },
        }
    };
}

pub(crate) use {code_field, long_field, text_field};

/// Where a table of fields reads and writes: the whole intake, or one row of a
/// repeat group (found by its key, so a reordered row keeps its fields).
pub trait Target: Copy + Send + Sync + 'static {
    type T: 'static;
    /// The whole form the target is part of.
    type Form: Send + Sync + 'static;
    /// Runs `f` on the target and the date ages are counted on (tracked); `None`
    /// once the row is gone.
    fn read<R>(self, f: impl FnOnce(&Self::T, Date) -> R) -> Option<R>;
    /// Changes the target (and prunes hidden answers).
    fn write(self, f: impl FnOnce(&mut Self::T));
    /// The DOM id of the field `name` of this target.
    fn id(self, name: &str) -> String;
    fn state(self) -> FormState<Self::Form>;
}

/// The whole form (the intake by default).
pub struct Whole<F: 'static = FamilyIntake>(pub FormState<F>);

impl<F> Clone for Whole<F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F> Copy for Whole<F> {}

impl<F: Send + Sync + 'static> Target for Whole<F> {
    type T = F;
    type Form = F;
    fn read<R>(self, f: impl FnOnce(&F, Date) -> R) -> Option<R> {
        let on = self.0.on();
        Some(self.0.form.with(|form| f(form, on)))
    }
    fn write(self, f: impl FnOnce(&mut F)) {
        self.0.update(f)
    }
    fn id(self, name: &str) -> String {
        self.0.id(name)
    }
    fn state(self) -> FormState<F> {
        self.0
    }
}

/// One household member.
#[derive(Clone, Copy)]
pub struct MemberOf(pub FormState, pub MemberKey);

impl Target for MemberOf {
    type T = Member;
    type Form = FamilyIntake;
    fn read<R>(self, f: impl FnOnce(&Member, Date) -> R) -> Option<R> {
        let on = self.0.on();
        self.0.form.with(|form| form.household.iter().find(|m| m.key == self.1).map(|m| f(m, on)))
    }
    fn write(self, f: impl FnOnce(&mut Member)) {
        self.0.update(|form| {
            if let Some(m) = form.household.iter_mut().find(|m| m.key == self.1) {
                f(m)
            }
        })
    }
    fn id(self, name: &str) -> String {
        format!("f-household-k{}-{}", self.1 .0, name.replace('.', "-"))
    }
    fn state(self) -> FormState {
        self.0
    }
}

/// One child's entry in "children at risk" (found by the child's member key).
#[derive(Clone, Copy)]
pub struct ChildOf(pub FormState, pub MemberKey);

impl Target for ChildOf {
    type T = ChildAtRisk;
    type Form = FamilyIntake;
    fn read<R>(self, f: impl FnOnce(&ChildAtRisk, Date) -> R) -> Option<R> {
        let on = self.0.on();
        self.0.form.with(|form| form.children_at_risk.iter().find(|c| c.member == self.1).map(|c| f(c, on)))
    }
    fn write(self, f: impl FnOnce(&mut ChildAtRisk)) {
        self.0.update(|form| {
            if let Some(c) = form.children_at_risk.iter_mut().find(|c| c.member == self.1) {
                f(c)
            }
        })
    }
    fn id(self, name: &str) -> String {
        format!("f-children_at_risk-k{}-{}", self.1 .0, name.replace('.', "-"))
    }
    fn state(self) -> FormState {
        self.0
    }
}

/// The field `def` of `target` as a component, hidden while its `shows` says so.
pub fn render<Tg: Target>(def: &'static FieldDef<Tg::T>, target: Tg) -> AnyView {
    let build = move || {
        let state = target.state();
        let id = target.id(def.name);
        let frame = Frame::new(id.clone(), def.label, state.problem(id.clone())).with_help(def.help);
        let dom_id = id.clone();
        let touch = move || state.touch(&id);
        match def.control {
            Control::Text(get, set) | Control::LongText(get, set) => {
                let value = memo(move || target.read(|t, _| get(t).clone()).unwrap_or_default());
                let on_input = Callback::new(move |v: String| {
                    touch();
                    target.write(|t| *set(t) = v);
                });
                let multiline = matches!(def.control, Control::LongText(..));
                view! { <TextField frame value on_input multiline /> }.into_any()
            }
            Control::Date(get, set) => {
                let value = memo(move || target.read(|t, _| get(t)).flatten());
                let on_change = Callback::new(move |d: Option<Date>| {
                    touch();
                    target.write(|t| set(t, d));
                });
                view! { <DateField frame value on_change /> }.into_any()
            }
            Control::Select { list, options, get, set } => {
                // A memo: the options are rebuilt only when skip logic changes them,
                // not on every keystroke elsewhere in the form.
                let opts: Signal<Vec<&'static str>> =
                    Memo::new(move |_| target.read(options).unwrap_or_default()).into();
                let value = memo(move || target.read(|t, _| get(t)).flatten());
                let on_change = Callback::new(move |c: Option<String>| {
                    touch();
                    target.write(|t| set(t, c.as_deref()));
                });
                view! { <SelectField frame list options=opts value on_change /> }.into_any()
            }
            Control::Number(get, set) => {
                let value =
                    memo(move || target.read(|t, _| get(t)).flatten().map(|n| n.to_string()).unwrap_or_default());
                let input_id = dom_id.clone();
                let on_input = Callback::new(move |v: String| {
                    touch();
                    // Digits only: anything else typed disappears at once, which shows
                    // what the field takes; too many digits saturate (the check says
                    // the number is out of range).
                    let digits: String = v.chars().filter(char::is_ascii_digit).take(9).collect();
                    target.write(|t| set(t, digits.parse().ok()));
                    if digits != v {
                        // The value may not have changed ("5" then "5a"), so the
                        // input is not redrawn by itself.
                        let input = document()
                            .get_element_by_id(&input_id)
                            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
                        if let Some(input) = input {
                            input.set_value(
                                &target.read(|t, _| get(t)).flatten().map(|n| n.to_string()).unwrap_or_default(),
                            );
                        }
                    }
                });
                view! { <TextField frame value on_input kind="numeric" /> }.into_any()
            }
            Control::YesNo(get, set) => {
                let value = memo(move || target.read(|t, _| get(t)).unwrap_or(false));
                let on_change = Callback::new(move |b: bool| {
                    touch();
                    target.write(|t| set(t, b));
                });
                view! { <YesNo frame value on_change /> }.into_any()
            }
        }
    };
    match def.shows {
        None => build(),
        Some(shows) => {
            let when = move || target.read(shows).unwrap_or(false);
            view! { <Show when=when>{build()}</Show> }.into_any()
        }
    }
}

/// A value derived from the form, as a memo: it is recomputed on every change of the
/// form (all answers are one signal), but what shows it — an input's value, a problem
/// line — is redrawn only when it changed. Without it, a keystroke re-rendered every
/// field of a 12-member household (see the typing row in the benchmarks).
fn memo<T: PartialEq + Send + Sync + 'static>(f: impl Fn() -> T + Send + Sync + 'static) -> Signal<T> {
    Memo::new(move |_| f()).into()
}

/// Every field of `table` for `target`, in order.
pub fn render_all<Tg: Target>(table: &'static [FieldDef<Tg::T>], target: Tg) -> impl IntoView {
    table.iter().map(|def| render(def, target)).collect_view()
}
