//! `coufun state-sync` and `coufun goods-sync` against a sandbox this test
//! hosts: `state-sync --once` tracks coupons from a file and records the
//! changes a round sees (table and JSON); `goods-sync` stores the catalogue
//! and shows what changed after the sandbox's catalogue changes (table and
//! JSON, snapshots), and refuses a second fetch the same day (exit 3).

mod common;

use common::Host;

const GOODS: &str = "0000100001";

fn database(host: &Host, name: &str) -> String {
    format!("sqlite:{}", host.path(name).display())
}

/// Issues `n` coupons of [`GOODS`] through `coupon-create`; their numbers.
fn issue(host: &Host, n: usize, tr_id: &str) -> Vec<String> {
    let run = host.run(&[
        "coupon-create",
        "--goods-id",
        GOODS,
        "--quantity",
        &n.to_string(),
        "--tr-id",
        tr_id,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let ledger = host.ledger();
    let order = ledger.order_by_tr_id(tr_id).unwrap();
    order
        .coupons
        .iter()
        .map(|c| c.coupon_number.clone())
        .collect()
}

#[test]
fn state_sync_once_records_what_a_round_sees() {
    let host = Host::start();
    let coupons = issue(&host, 3, "cli-sync-1");
    let track = host.path("track.csv");
    let lines: Vec<String> = coupons.iter().map(|c| format!("{GOODS},{c}")).collect();
    std::fs::write(&track, format!("# goods,coupon\n{}\n", lines.join("\n"))).unwrap();
    host.sandbox().mark_used(&coupons[0]).unwrap();
    let db = database(&host, "state.db");

    let first = host.run(&[
        "state-sync",
        "--database",
        &db,
        "--track",
        track.to_str().unwrap(),
        "--once",
        "--json",
    ]);
    assert_eq!(first.code, 0, "{first:?}");
    let report = first.json();
    assert_eq!(report["tracked"], 3);
    assert_eq!(report["round"]["polled"], 3);
    assert_eq!(report["round"]["changed"], 1);
    assert_eq!(report["round"]["unchanged"], 2);
    assert_eq!(report["round"]["failed"], 0);
    assert_eq!(report["round"]["open"], 2);
    for c in &coupons {
        assert!(!first.stdout.contains(c.as_str()) && !first.stderr.contains(c.as_str()));
    }

    // the used exchange voucher is no longer polled; a use now is one change
    host.sandbox().mark_used(&coupons[1]).unwrap();
    let second = host.run(&["state-sync", "--database", &db, "--once"]);
    assert_eq!(second.code, 0, "{second:?}");
    assert_eq!(
        second.stdout.trim(),
        "round: polled 2, changed 1, unchanged 1, stale 0, failed 0; 1 coupon(s) still open"
    );
    let third = host.run(&["state-sync", "--database", &db, "--once"]);
    assert!(
        third.stdout.contains("round: polled 1, changed 0"),
        "{third:?}"
    );
}

#[test]
fn state_sync_names_a_bad_track_line_without_showing_it() {
    let host = Host::start();
    let track = host.path("bad.csv");
    std::fs::write(&track, format!("{GOODS},9000123456789\n{GOODS}\n")).unwrap();
    let db = database(&host, "state.db");
    let run = host.run(&[
        "state-sync",
        "--database",
        &db,
        "--track",
        track.to_str().unwrap(),
        "--once",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .contains("line 2: expected GOODS_ID,COUPON_NUMBER"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("9000123456789"), "{run:?}");
}

/// The table without its first line (the time of the sync).
fn without_time(text: &str) -> String {
    text.lines().skip(1).collect::<Vec<_>>().join("\n")
}

#[test]
fn goods_sync_shows_what_changed_as_a_table_and_as_json() {
    let host = Host::start();
    let db = database(&host, "goods.db");
    let first = host.run(&["goods-sync", "--database", &db]);
    assert_eq!(first.code, 0, "{first:?}");
    assert!(first.stdout.starts_with("goods sync "), "{first:?}");
    assert!(
        first.stdout.contains("(fetch 1 of 1 on Korean day "),
        "{first:?}"
    );
    insta::assert_snapshot!("goods_sync_first_table", without_time(&first.stdout));

    // a second fetch the same day is refused before anything is sent
    let requests = host.sandbox().request_count();
    let refused = host.run(&["goods-sync", "--database", &db]);
    assert_eq!(refused.code, 3, "{refused:?}");
    assert!(
        refused.stderr.contains("already fetched 1 time(s)"),
        "{refused:?}"
    );
    assert!(
        refused.stderr.contains("not fetched again before"),
        "{refused:?}"
    );
    assert_eq!(host.sandbox().request_count(), requests);

    let mut catalogue = host.sandbox().catalogue();
    for goods in &mut catalogue.goods {
        if goods.goods_id == GOODS {
            goods.price += 160;
            goods.description = "아메리카노 Tall 1잔 (원두 변경)".to_owned();
        }
    }
    catalogue.goods.retain(|g| g.goods_id != "0000100002");
    host.sandbox().set_catalogue(catalogue);

    let table = host.run(&["goods-sync", "--database", &db, "--per-day", "3"]);
    assert_eq!(table.code, 0, "{table:?}");
    assert!(
        table.stdout.contains("(fetch 2 of 3 on Korean day "),
        "{table:?}"
    );
    insta::assert_snapshot!("goods_sync_changed_table", without_time(&table.stdout));

    let mut catalogue = host.sandbox().catalogue();
    for goods in &mut catalogue.goods {
        if goods.goods_id == GOODS {
            goods.send_type = "Z".to_owned();
        }
    }
    host.sandbox().set_catalogue(catalogue);
    let json = host.run(&["goods-sync", "--database", &db, "--per-day", "3", "--json"]);
    assert_eq!(json.code, 0, "{json:?}");
    let mut report = json.json();
    assert_eq!(report["fetch"], 3);
    assert_eq!(report["diff"]["first_sync"], false);
    for key in ["synced_at", "day"] {
        report[key] = "[time]".into();
    }
    insta::assert_snapshot!(
        "goods_sync_send_type_json",
        serde_json::to_string_pretty(&report).unwrap()
    );
}

/// `state-sync --listen`: the sandbox's exchange notice of a use is received,
/// answered 00 and written to the history as the notice's sighting; a poll
/// after it sees nothing new (one row for the change); Ctrl-C stops both.
/// `state-sync` listens on a port of its own choosing (`127.0.0.1:0`) and
/// prints its URL, which the running sandbox is then told
/// (`Sandbox::set_notices`): no port is let go and taken again, which another
/// process could have taken in between.
#[test]
fn state_sync_listens_for_notices_and_records_each_change_once() {
    use std::io::BufRead;
    use std::time::Duration;

    use coufun_sandbox::notices::NoticeSenderConfig;

    let host = Host::start();
    let coupons = issue(&host, 2, "cli-sync-listen");
    let track = host.path("track.csv");
    let lines: Vec<String> = coupons.iter().map(|c| format!("{GOODS},{c}")).collect();
    std::fs::write(&track, lines.join("\n")).unwrap();
    let db = database(&host, "state.db");

    let mut child = host
        .cmd()
        .args(["state-sync", "--database", &db, "--track"])
        .arg(&track)
        .args([
            "--every",
            "3600",
            "--json",
            "--notice-path",
            "/coufun/exchange",
        ])
        .args(["--listen", "127.0.0.1:0"])
        .args(["--notice-from", "127.0.0.1"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next_json = || -> serde_json::Value {
        let line = stdout.next().expect("a line").unwrap();
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    };
    let listening = next_json();
    let url = listening["receiving_notices"].as_str().unwrap_or_default();
    // The port it bound, not the 0 it was given.
    let port = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/coufun/exchange"))
        .and_then(|port| port.parse::<u16>().ok());
    assert!(port.is_some_and(|port| port != 0), "{listening}");
    let notices = NoticeSenderConfig::new(url).retry_interval(Duration::from_millis(100));
    host.sandbox().set_notices(notices).unwrap();
    let first_round = next_json();
    assert_eq!(first_round["polled"], 2, "{first_round}");
    assert_eq!(first_round["changed"], 0, "{first_round}");

    host.sandbox().mark_used(&coupons[0]).unwrap();
    assert!(
        host.runtime
            .block_on(host.sandbox().wait_for_notices(Duration::from_secs(30)))
    );
    let deliveries = host.sandbox().notice_deliveries();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(
        deliveries[0].result.code(),
        Some(&coufun_api::notice::NoticeAnswerCode::Done),
        "{deliveries:?}"
    );

    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    for c in &coupons {
        assert!(!stderr.contains(c.as_str()), "{stderr}");
    }

    let history = host.runtime.block_on(async {
        let store = coufun_sync::SyncStore::open(&db).await.unwrap();
        let number = coufun_api::CouponNumber::new(coupons[0].clone()).unwrap();
        store.history(&number).await.unwrap()
    });
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[1].source, "notice", "{history:?}");
    assert!(history[1].approval_number.is_some(), "{history:?}");

    // the poll that follows sees the same use: no second row
    let after = host.run(&["state-sync", "--database", &db, "--once", "--json"]);
    assert_eq!(after.code, 0, "{after:?}");
    assert_eq!(after.json()["round"]["changed"], 0, "{after:?}");
}

/// `--listen` goes with the addresses notices may come from, and not with `--once`.
#[test]
fn state_sync_listen_asks_whom_to_accept_notices_from() {
    let host = Host::start();
    let db = database(&host, "state.db");
    let alone = host.run(&["state-sync", "--database", &db, "--listen", "127.0.0.1:0"]);
    assert_eq!(alone.code, 2, "{alone:?}");
    assert!(alone.stderr.contains("--notice-from"), "{alone:?}");
    let once = host.run(&[
        "state-sync",
        "--database",
        &db,
        "--once",
        "--listen",
        "127.0.0.1:0",
        "--notice-from",
        "any",
    ]);
    assert_eq!(once.code, 2, "{once:?}");
    let bad = host.run(&[
        "state-sync",
        "--database",
        &db,
        "--listen",
        "127.0.0.1:0",
        "--notice-from",
        "everyone",
    ]);
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(
        bad.stderr.contains("neither an IP address nor `any`"),
        "{bad:?}"
    );
}

/// A rate too small or too large for the gap between two calls to be a
/// duration paces at the gap's bounds (30 years, a nanosecond): each used to
/// panic as the round began (exit 101). A negative rate or NaN is refused as
/// an argument (exit 2), before the store is made.
#[test]
fn state_sync_paces_any_rate_and_refuses_what_is_none() {
    let host = Host::start();
    let coupons = issue(&host, 1, "cli-sync-rate");
    let track = host.path("track.csv");
    std::fs::write(&track, format!("{GOODS},{}\n", coupons[0])).unwrap();
    for (i, rate) in ["1e-300", "5e-324", "1e300", "1e10", "inf", "0"]
        .into_iter()
        .enumerate()
    {
        let db = database(&host, &format!("rate{i}.db"));
        let rate = format!("--rate={rate}");
        let args = ["state-sync", "--database", &db, "--once", "--json", &rate];
        let mut args = args.to_vec();
        let track = track.to_str().unwrap();
        args.extend(["--track", track]);
        let run = host.run(&args);
        assert_eq!(run.code, 0, "{rate}: {run:?}");
        assert_eq!(run.json()["round"]["polled"], 1, "{rate}: {run:?}");
    }
    for rate in ["-1", "-1e-300", "NaN", "-inf", "ten"] {
        let store = host.path("refused.db");
        let db = format!("sqlite:{}", store.display());
        let rate = format!("--rate={rate}");
        let run = host.run(&["state-sync", "--database", &db, "--once", &rate]);
        assert_eq!(run.code, 2, "{rate}: {run:?}");
        assert!(run.stderr.contains("--rate"), "{run:?}");
        assert!(
            run.stderr.contains("not a number of calls per second"),
            "{run:?}"
        );
        assert!(!store.exists(), "{rate}");
    }
}
