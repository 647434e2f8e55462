//! Repeat groups of the consent and follow-up forms (children, contacts, services,
//! referrals, goals): a [`Group`] describes one as data, [`RepeatGroup`] renders it
//! with an "add" button and a "remove" button per row, all plain buttons.
//!
//! Rows are named by position (`contacts[1]`), as `shared::forms::check` names them:
//! these rows have no identity of their own (nothing refers to a contact) and cannot
//! be reordered. After a removal the row elements that stay take the next rows'
//! answers (every control follows its value, dates included), so keyboard focus on a
//! "remove" button lands on the next row's; when the last row goes, focus moves to
//! "add". (The household, whose members are referred to and reordered, is keyed by
//! `MemberKey` instead: `household.rs`.)

use leptos::prelude::*;

use crate::forms::descriptor::{render_all, FieldDef, FormState, Target};
use crate::forms::fields::focus_field;
use crate::i18n::use_i18n;

/// One repeat group of a form `F` whose rows are `R`, as data.
pub struct Group<F: 'static, R: 'static> {
    /// The path name (`contacts`): problems are at `contacts[i].field`.
    pub name: &'static str,
    /// Catalog key of the group's legend (`field-contacts`).
    pub label: &'static str,
    /// Catalog key of a row's heading, with `$n` (`contacts-row`).
    pub row: &'static str,
    /// Catalog key of the add button (`contacts-add`).
    pub add: &'static str,
    pub rows: fn(&F) -> &Vec<R>,
    pub rows_mut: fn(&mut F) -> &mut Vec<R>,
    /// A row's fields, in order (the first takes focus after "add").
    pub fields: &'static [FieldDef<R>],
    /// Most rows (the add button is disabled there; `shared` refuses more).
    pub max: usize,
    /// More to show under a row's fields (a referral's consent refusal).
    pub extra: Option<fn(FormState<F>, usize) -> AnyView>,
}

/// Row `index` of `group` in the form: a [`Target`] for the field renderer.
pub struct RowOf<F: 'static, R: 'static> {
    pub state: FormState<F>,
    pub group: &'static Group<F, R>,
    pub index: usize,
}

impl<F, R> Clone for RowOf<F, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F, R> Copy for RowOf<F, R> {}

impl<F: Send + Sync + 'static, R: 'static> Target for RowOf<F, R>
where
    Group<F, R>: Sync,
{
    type T = R;
    type Form = F;
    fn read<O>(self, f: impl FnOnce(&R, shared::record::Date) -> O) -> Option<O> {
        let on = self.state.on();
        self.state.form.with(|form| (self.group.rows)(form).get(self.index).map(|r| f(r, on)))
    }
    fn write(self, f: impl FnOnce(&mut R)) {
        self.state.update(|form| {
            if let Some(r) = (self.group.rows_mut)(form).get_mut(self.index) {
                f(r)
            }
        })
    }
    fn id(self, name: &str) -> String {
        self.state.id(&format!("{}.{}.{name}", self.group.name, self.index))
    }
    fn state(self) -> FormState<F> {
        self.state
    }
}

/// A repeat group: its rows as fieldsets with a heading and a remove button, the
/// group's own problem (none, too many), and the add button.
pub fn repeat_group<F, R>(state: FormState<F>, group: &'static Group<F, R>) -> impl IntoView
where
    F: Send + Sync + 'static,
    R: Default + 'static,
    Group<F, R>: Sync,
{
    let i18n = use_i18n();
    let count = Memo::new(move |_| state.form.with(|f| (group.rows)(f).len()));
    let group_id = state.id(group.name);
    let add_id = format!("{group_id}-add");
    let error_id = format!("{group_id}-error");
    let described_by = error_id.clone();
    let problem = state.problem(group_id.clone());
    let focus_add = add_id.clone();
    let row = move |index: usize| {
        let target = RowOf { state, group, index };
        let heading_id = target.id("heading");
        let labelled_by = heading_id.clone();
        let heading = i18n.t_args(group.row, move || vec![("n", crate::i18n::OwnedArg::Num(index as i64 + 1))]);
        let focus_add = focus_add.clone();
        let remove = move |_| {
            state.update(|f| {
                let rows = (group.rows_mut)(f);
                if index < rows.len() {
                    rows.remove(index);
                }
            });
            // The element under focus stays when a later row moves up into it.
            if index >= count.get_untracked() {
                let id = focus_add.clone();
                request_animation_frame(move || focus_field(&id));
            }
        };
        view! {
            <fieldset class="repeat-row" aria-labelledby=labelled_by>
                <h3 id=heading_id tabindex="-1">{heading}</h3>
                {render_all(group.fields, target)}
                {group.extra.map(|extra| extra(state, index))}
                <div class="row-actions">
                    <button type="button" id=target.id("remove") class="danger"
                        aria-label=move || format!("{} — {}", i18n.tr("common-remove"), heading.get())
                        on:click=remove>{i18n.t("common-remove")}</button>
                </div>
            </fieldset>
        }
    };
    let add = move |_: leptos::ev::MouseEvent| {
        let index = count.get_untracked();
        state.update(|f| (group.rows_mut)(f).push(R::default()));
        if let Some(first) = group.fields.first() {
            let id = RowOf { state, group, index }.id(first.name);
            request_animation_frame(move || focus_field(&id));
        }
    };
    view! {
        <fieldset class="field repeat-group" id=group_id tabindex="-1" aria-describedby=described_by>
            <legend>{i18n.t(group.label)}</legend>
            <For each=move || 0..count.get() key=|i| *i children=row />
            <p class="field-error" id=error_id role="alert">
                {move || problem.get().map(|p| i18n.tr(&p.message_key()))}
            </p>
            <button type="button" id=add_id class="add" disabled=move || { count.get() >= group.max } on:click=add>
                {i18n.t(group.add)}
            </button>
        </fieldset>
    }
}
