use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{lazy_route, LazyRoute};

use crate::api::auth::Setup;
use crate::components::common::form_error::FormError;
use crate::components::common::lazy_parts::name_lazy_parts;
use crate::domain::identity::{MAX_CHANNEL_LIMIT, MIN_PASSWORD_CHARS};
use crate::i18n::use_texts;

/// `/setup`, fetched by the browser when first shown.
pub struct SetupRoute;

#[lazy_route]
impl LazyRoute for SetupRoute {
    fn data() -> Self {
        Self
    }

    fn view(_route: Self) -> AnyView {
        name_lazy_parts();
        view! { <SetupPage/> }.into_any()
    }
}

/// First run: the first visitor creates the company and its first administrator.
#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<Setup>::new();
    let words = use_texts();
    let text = move |i: usize| words().first_run[i];
    view! {
        <Title text=move || text(0)/>
        <main class="auth-page">
            <section class="auth-card" aria-labelledby="setup-heading">
                <p class="brand">"Aurora"</p>
                <h1 id="setup-heading">{move || text(1)}</h1>
                <p class="muted">{move || text(2)}</p>
                <ActionForm action=setup>
                    <div class="field">
                        <label for="setup-code">{move || text(3)}</label>
                        <input
                            id="setup-code"
                            name="code"
                            required
                            autofocus
                            autocomplete="off"
                            maxlength="20"
                            aria-describedby="setup-code-hint"
                        />
                        <p class="hint" id="setup-code-hint">
                            {move || text(4)}
                        </p>
                    </div>
                    <div class="field">
                        <label for="setup-company">{move || text(5)}</label>
                        <input id="setup-company" name="company_name" required maxlength="80"/>
                    </div>
                    <div class="field">
                        <label for="setup-limit">{move || text(6)}</label>
                        <input
                            id="setup-limit"
                            name="channel_limit"
                            type="number"
                            min="0"
                            max=MAX_CHANNEL_LIMIT
                            value="3"
                            required
                        />
                    </div>
                    <div class="field">
                        <label for="setup-name">{move || text(7)}</label>
                        <input id="setup-name" name="display_name" autocomplete="name" required maxlength="80"/>
                    </div>
                    <div class="field">
                        <label for="setup-email">{move || text(8)}</label>
                        <input id="setup-email" name="email" type="email" autocomplete="username" required/>
                    </div>
                    <div class="field">
                        <label for="setup-password">{move || text(9)}</label>
                        <input
                            id="setup-password"
                            name="password"
                            type="password"
                            autocomplete="new-password"
                            minlength=MIN_PASSWORD_CHARS
                            required
                            aria-describedby="setup-password-hint"
                        />
                        <p class="hint" id="setup-password-hint">
                            {move || (words().at_least_chars)(MIN_PASSWORD_CHARS)}
                        </p>
                    </div>
                    <FormError result=move || setup.value().get()/>
                    <button type="submit" class="primary wide" disabled=move || setup.pending().get()>
                        {move || text(10)}
                    </button>
                </ActionForm>
            </section>
        </main>
    }
}
