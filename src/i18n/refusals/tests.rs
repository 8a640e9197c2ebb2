use super::*;
use crate::domain::account::transition;
use crate::domain::account::AccountEvent;

fn every_refusal() -> Vec<Refusal> {
    let refused = transition(AccountStatus::Disabled, AccountEvent::Disconnect).unwrap_err();
    let mut all = vec![
        Refusal::Denied(Denied::NeedChannelsAdmin),
        Refusal::Denied(Denied::NeedGlobalAdmin),
        Refusal::Denied(Denied::NeedSubscription),
        Refusal::Denied(Denied::InboxNeedsSubscription),
        Refusal::OnlyGlobalAdminsDelete,
        Refusal::InvalidCredentials,
        Refusal::WrongSetupCode,
        Refusal::ChannelLimitRange,
        Refusal::CompanyName(NameProblem::Required),
        Refusal::PersonName(NameProblem::TooLong),
        Refusal::BadEmail,
        Refusal::PasswordTooShort,
        Refusal::PasswordTooLong,
        Refusal::TooManyAttempts { retry_after_ms: 1 },
        Refusal::Restarting,
        Refusal::ChannelLimitReached,
        Refusal::ChannelLimit { used: 5, limit: 5 },
        Refusal::NotConnected,
        Refusal::MaybeSent,
        Refusal::NotNow(refused),
        Refusal::NumberAlreadyMatches,
        Refusal::NotWaitingToReconnect,
        Refusal::DetailsWhileConnected,
        Refusal::DeleteOnlyDisabled(AccountStatus::Connected),
        Refusal::TypeNameToConfirm("Ventas".into()),
        Refusal::CantSetUpWhile(AccountStatus::Deleting),
        Refusal::BadPageLink,
        Refusal::BadWhose,
        Refusal::OwnerNotInFunnel,
        Refusal::NotWaitingForRetry,
        Refusal::SendAgainQuestion,
        Refusal::AlreadyGoneOut,
    ];
    for problem in [
        TextProblem::Empty,
        TextProblem::TooLong,
        TextProblem::NotInFuture,
        TextProblem::TooFarAhead,
        TextProblem::SearchTooLong,
    ] {
        all.push(Refusal::Text(problem));
    }
    for status in AccountStatus::ALL {
        if status != AccountStatus::Connected {
            all.push(Refusal::ReplyBlocked(status));
        }
    }
    all
}

#[test]
fn every_refusal_is_worded_in_each_language_and_not_left_in_english() {
    for refusal in every_refusal() {
        let english = refusal.words(Locale::En);
        assert!(!english.is_empty(), "{refusal:?}");
        let mut seen = vec![english.clone()];
        for locale in [Locale::Es, Locale::PtBr] {
            let words = refusal.words(locale);
            assert!(!words.is_empty(), "{refusal:?} in {locale:?}");
            assert!(!seen.contains(&words), "{refusal:?} in {locale:?}: {words}");
            seen.push(words);
        }
    }
}

#[test]
fn states_and_names_are_worded_inside_the_sentence() {
    let refusal = Refusal::DeleteOnlyDisabled(AccountStatus::Connected);
    assert_eq!(
        refusal.words(Locale::En),
        "Only a disabled account can be deleted; this one is Connected"
    );
    assert!(refusal.words(Locale::Es).ends_with("esta está Conectado"));
    let typed = Refusal::TypeNameToConfirm("Ventas".into());
    assert_eq!(
        typed.words(Locale::PtBr),
        "Digite o nome da conta, Ventas, para confirmar"
    );
    let refused = transition(AccountStatus::Disabled, AccountEvent::Disconnect).unwrap_err();
    assert_eq!(
        Refusal::NotNow(refused.clone()).words(Locale::En),
        refused.to_string()
    );
    assert_eq!(
        Refusal::NotNow(refused).words(Locale::Es),
        "No es posible mientras la cuenta está Desactivado"
    );
}

#[test]
fn sign_in_waits_round_up_to_whole_minutes() {
    let wait = |ms, locale| Refusal::TooManyAttempts { retry_after_ms: ms }.words(locale);
    assert_eq!(
        wait(1, Locale::En),
        "Too many sign-in attempts. Try again in 1 minute."
    );
    assert_eq!(
        wait(5 * 60_000, Locale::En),
        "Too many sign-in attempts. Try again in 5 minutes."
    );
    assert_eq!(
        wait(60_001, Locale::En),
        "Too many sign-in attempts. Try again in 2 minutes."
    );
    assert!(wait(60_001, Locale::Es).ends_with("en 2 minutos."));
    assert!(wait(1, Locale::PtBr).ends_with("em 1 minuto."));
}

#[test]
fn each_refusal_answers_with_the_status_of_its_kind() {
    assert_eq!(AppError::from(Denied::NeedChannelsAdmin).status_code(), 403);
    assert_eq!(AppError::from(TextProblem::Empty).status_code(), 422);
    assert_eq!(
        AppError::from(Refusal::TooManyAttempts { retry_after_ms: 5 }).status_code(),
        429
    );
    assert_eq!(AppError::from(Refusal::NotConnected).status_code(), 409);
    assert_eq!(
        AppError::from(Refusal::TypeNameToConfirm("x".into())).status_code(),
        422
    );
}

#[tokio::test]
async fn a_refusal_takes_the_language_of_the_request_it_answers() {
    assert_eq!(
        AppError::from(Refusal::NotConnected),
        AppError::Conflict("This channel is not connected to WhatsApp right now".into())
    );
    let spanish = in_locale(Locale::Es, async { AppError::from(Refusal::NotConnected) }).await;
    assert_eq!(
        spanish,
        AppError::Conflict("Este canal no está conectado a WhatsApp en este momento".into())
    );
    // The language ends with the request.
    assert_eq!(current_locale(), Locale::En);
    let portuguese = in_locale(Locale::PtBr, async {
        tokio::task::yield_now().await;
        AppError::from(TextProblem::Empty)
    })
    .await;
    assert_eq!(
        portuguese,
        AppError::Invalid("Escreva uma mensagem primeiro".into())
    );
}
