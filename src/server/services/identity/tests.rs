use std::sync::Mutex;

use super::*;
use crate::server::db::testing::with_db;
use crate::server::web::rate_limit::FAILURES_PER_EMAIL;

async fn company_with_ana(db: &Db) -> i64 {
    let company = create_company(db, "Demo Company", true, 3).await.unwrap();
    let new_user = NewUser {
        company_id: company,
        email: "Ana@Demo.test",
        display_name: "Ana Torres",
        password: "demo-password",
        global_admin: true,
        channels_admin: true,
    };
    create_user(db, new_user).await.unwrap();
    company
}

fn attempt<'a>(email: &'a str, password: &'a str) -> SignIn<'a> {
    SignIn {
        email,
        password,
        client: "127.0.0.1",
        previous_token: None,
    }
}

#[tokio::test]
async fn sign_in_opens_a_session_that_resumes() {
    with_db(|db| async move {
        let company = company_with_ana(&db).await;
        let limiter = Mutex::new(LoginLimiter::default());
        let token = sign_in(
            &db,
            &limiter,
            attempt(" ana@demo.TEST ", "demo-password"),
            1_000,
        )
        .await
        .unwrap();
        assert_eq!(token.len(), 64, "256 bits, hex");
        let user = resume_sign_in(&db, &token, 2_000).await.unwrap().unwrap();
        assert_eq!(
            (user.email.as_str(), user.company_id),
            ("ana@demo.test", company)
        );
        assert!(resume_sign_in(&db, "not-a-token", 2_000)
            .await
            .unwrap()
            .is_none());
    })
    .await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    with_db(|db| async move {
        company_with_ana(&db).await;
        let limiter = Mutex::new(LoginLimiter::default());
        let wrong = sign_in(&db, &limiter, attempt("ana@demo.test", "nope"), 0)
            .await
            .unwrap_err();
        let unknown = sign_in(&db, &limiter, attempt("who@demo.test", "demo-password"), 0)
            .await
            .unwrap_err();
        assert_eq!(wrong, AppError::from(Refusal::InvalidCredentials));
        assert_eq!(unknown, wrong);
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_after_twelve_idle_hours() {
    with_db(|db| async move {
        company_with_ana(&db).await;
        let limiter = Mutex::new(LoginLimiter::default());
        let token = sign_in(&db, &limiter, attempt("ana@demo.test", "demo-password"), 0)
            .await
            .unwrap();
        // Activity keeps it alive: each use moves the idle clock.
        let hour = 60 * 60 * 1000;
        assert!(resume_sign_in(&db, &token, 11 * hour)
            .await
            .unwrap()
            .is_some());
        assert!(resume_sign_in(&db, &token, 22 * hour)
            .await
            .unwrap()
            .is_some());
        assert!(resume_sign_in(&db, &token, 34 * hour + 1)
            .await
            .unwrap()
            .is_none());
        // Once expired it is gone for good, even if the clock went back.
        assert!(resume_sign_in(&db, &token, 22 * hour)
            .await
            .unwrap()
            .is_none());
    })
    .await;
}

#[tokio::test]
async fn signing_in_rotates_the_session_and_signing_out_ends_it() {
    with_db(|db| async move {
        company_with_ana(&db).await;
        let limiter = Mutex::new(LoginLimiter::default());
        let first = sign_in(&db, &limiter, attempt("ana@demo.test", "demo-password"), 0)
            .await
            .unwrap();
        let again = SignIn {
            previous_token: Some(&first),
            ..attempt("ana@demo.test", "demo-password")
        };
        let second = sign_in(&db, &limiter, again, 10).await.unwrap();
        assert_ne!(first, second);
        assert!(
            resume_sign_in(&db, &first, 20).await.unwrap().is_none(),
            "old id no longer valid"
        );
        assert!(resume_sign_in(&db, &second, 20).await.unwrap().is_some());
        let (sign_outs, mut heard) = tokio::sync::broadcast::channel(4);
        sign_out(&db, &sign_outs, &second).await.unwrap();
        assert_eq!(
            heard.try_recv().unwrap(),
            token_hash(&second),
            "open streams are told"
        );
        assert!(resume_sign_in(&db, &second, 30).await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_lock_the_email_even_for_the_right_password() {
    with_db(|db| async move {
        company_with_ana(&db).await;
        let limiter = Mutex::new(LoginLimiter::default());
        for i in 0..FAILURES_PER_EMAIL as i64 {
            let err = sign_in(&db, &limiter, attempt("ana@demo.test", "guess"), i)
                .await
                .unwrap_err();
            assert_eq!(err, AppError::from(Refusal::InvalidCredentials));
        }
        let blocked = sign_in(
            &db,
            &limiter,
            attempt("ana@demo.test", "demo-password"),
            100,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&blocked, AppError::RateLimited(m) if m.contains("Too many sign-in attempts"))
        );
        assert_eq!(blocked.status_code(), 429);
        let later = crate::server::web::rate_limit::WINDOW_MS + 100;
        assert!(sign_in(
            &db,
            &limiter,
            attempt("ana@demo.test", "demo-password"),
            later
        )
        .await
        .is_ok());
    })
    .await;
}

#[tokio::test]
async fn first_company_setup_runs_once() {
    with_db(|db| async move {
        let input = |company: &'static str| FirstCompany {
            company_name: company,
            channel_limit: "5",
            display_name: "Founder",
            email: "founder@acme.test",
            password: "a long password",
        };
        let bad = FirstCompany {
            channel_limit: "lots",
            ..input("Acme")
        };
        assert!(matches!(
            set_up_first_company(&db, bad).await,
            Err(AppError::Invalid(_))
        ));
        assert!(
            !companies::any_exists(&db).await.unwrap(),
            "invalid input writes nothing"
        );

        assert_eq!(
            set_up_first_company(&db, input("Acme")).await.unwrap(),
            "founder@acme.test"
        );
        let acme = companies::find_by_name(&db, "Acme").await.unwrap().unwrap();
        assert_eq!(acme.channel_limit, 5);
        let founder = &users::list_by_company(&db, acme.id).await.unwrap()[0];
        assert!(founder.global_admin && founder.channels_admin);
        assert_eq!(
            set_up_first_company(&db, input("Second")).await,
            Err(AppError::NotFound)
        );
    })
    .await;
}

#[tokio::test]
async fn creation_errors_are_values() {
    with_db(|db| async move {
        let company = company_with_ana(&db).await;
        assert!(matches!(
            create_company(&db, "Demo Company", true, 3).await,
            Err(AppError::Conflict(_))
        ));
        let dup = NewUser {
            email: "ana@demo.test",
            ..member_account(company)
        };
        assert!(matches!(
            create_user(&db, dup).await,
            Err(AppError::Conflict(_))
        ));
        let weak = NewUser {
            email: "new@demo.test",
            password: "short",
            ..member_account(company)
        };
        assert!(matches!(
            create_user(&db, weak).await,
            Err(AppError::Invalid(_))
        ));
        let stranger = vec!["nobody@demo.test".to_string()];
        assert!(matches!(
            create_funnel(&db, company, "Sales", &stranger).await,
            Err(AppError::Invalid(_))
        ));
        assert!(matches!(
            company_id_by_name(&db, "Missing").await,
            Err(AppError::Invalid(_))
        ));
    })
    .await;
}

fn member_account(company_id: i64) -> NewUser<'static> {
    NewUser {
        company_id,
        email: "x@demo.test",
        display_name: "X",
        password: "demo-password",
        global_admin: false,
        channels_admin: false,
    }
}

/// Forty wrong guesses at once for one email (from forty addresses): the limit is counted
/// before the passwords are checked, so only ten are checked and the rest are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_for_one_email_check_at_most_the_limit() {
    with_db(|db| async move {
        company_with_ana(&db).await;
        let limiter = std::sync::Arc::new(Mutex::new(LoginLimiter::default()));
        let guesses = (0..40).map(|i| {
            let (db, limiter) = (db.clone(), limiter.clone());
            tokio::spawn(async move {
                let client = format!("10.0.0.{i}");
                let guess = SignIn {
                    email: "ana@demo.test",
                    password: "a wrong guess",
                    client: &client,
                    previous_token: None,
                };
                sign_in(&db, &limiter, guess, 1_000).await
            })
        });
        let outcomes: Vec<_> = futures::future::join_all(guesses)
            .await
            .into_iter()
            .map(|joined| joined.unwrap().unwrap_err())
            .collect();
        let checked = outcomes
            .iter()
            .filter(|e| matches!(e, AppError::Invalid(_)))
            .count();
        let refused = outcomes
            .iter()
            .filter(|e| matches!(e, AppError::RateLimited(_)))
            .count();
        assert_eq!(
            (checked, refused),
            (FAILURES_PER_EMAIL, 40 - FAILURES_PER_EMAIL)
        );
    })
    .await;
}

#[tokio::test]
async fn an_oversized_email_is_refused_at_once_and_never_counted() {
    with_db(|db| async move {
        company_with_ana(&db).await;
        let limiter = Mutex::new(LoginLimiter::default());
        let huge = format!("{}@demo.test", "a".repeat(1024 * 1024));
        let started = std::time::Instant::now();
        let refused = sign_in(&db, &limiter, attempt(&huge, "demo-password"), 1_000).await;
        assert_eq!(
            refused.unwrap_err(),
            AppError::from(Refusal::InvalidCredentials)
        );
        assert!(
            started.elapsed() < std::time::Duration::from_millis(50),
            "no hash was computed"
        );
        assert_eq!(limiter.lock().unwrap().keys(), 0, "it never became a key");
        let long_password = "p".repeat(MAX_PASSWORD_BYTES + 1);
        let refused = sign_in(
            &db,
            &limiter,
            attempt("ana@demo.test", &long_password),
            1_000,
        )
        .await;
        assert_eq!(
            refused.unwrap_err(),
            AppError::from(Refusal::InvalidCredentials)
        );
        assert_eq!(limiter.lock().unwrap().keys(), 0);
    })
    .await;
}

#[tokio::test]
async fn a_sign_in_ends_a_week_after_it_began_however_active() {
    use crate::domain::identity::ABSOLUTE_LIFETIME_MS;

    with_db(|db| async move {
        company_with_ana(&db).await;
        let limiter = Mutex::new(LoginLimiter::default());
        let begun = 1_000;
        let token = sign_in(
            &db,
            &limiter,
            attempt("ana@demo.test", "demo-password"),
            begun,
        )
        .await
        .unwrap();
        // Used every hour for a week: still valid until the week is over.
        let hour = 60 * 60 * 1000;
        let mut now = begun;
        while now + hour < begun + ABSOLUTE_LIFETIME_MS {
            now += hour;
            assert!(
                resume_sign_in(&db, &token, now).await.unwrap().is_some(),
                "at {now}"
            );
        }
        let over = begun + ABSOLUTE_LIFETIME_MS + 1;
        assert!(resume_sign_in(&db, &token, over).await.unwrap().is_none());
        assert!(still_signed_in(&db, &token, over).await.unwrap().is_none());
    })
    .await;
}
