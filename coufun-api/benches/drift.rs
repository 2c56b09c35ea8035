//! Benchmark: what drift collection costs the client's decoding, measured in
//! one run. The client decodes every answer through
//! `coufun_api::drift::decode_observed`: with no observer (the default) it
//! must stay within noise of `decode_document`, today's decode; with one, the
//! answer is also compared with the spec. Documents as in `decode.rs`: a
//! 1,000-record goods list and a 10-record status answer, EUC-KR. After
//! criterion's groups, a summary prints each ratio to today's decode, from
//! the fastest of 30 alternating batches (all three see the same load).

use std::hint::black_box;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use coufun_api::drift::{DriftObserver, decode_observed};
use coufun_api::responses::{CouponStatusResponse, GoodsListResponse};
use coufun_api::xml::{Response, decode_document};
use criterion::{Criterion, Throughput, criterion_group};
use support::{euc_kr, goods_list_text, status_text};

mod support;

/// An observer that keeps nothing: the cost measured is the inspection's.
fn observer() -> &'static DriftObserver {
    static OBSERVER: OnceLock<DriftObserver> = OnceLock::new();
    OBSERVER.get_or_init(|| {
        DriftObserver::new(|f| {
            black_box(f);
        })
    })
}

fn today<R: Response>(bytes: &[u8]) -> usize {
    decode_document::<R>(bytes, None).map_or(0, |r| r.message.len() + 1)
}

fn off<R: Response>(bytes: &[u8]) -> usize {
    decode_observed::<R>(bytes, None, None).map_or(0, |r| r.message.len() + 1)
}

fn on<R: Response>(bytes: &[u8]) -> usize {
    decode_observed::<R>(bytes, None, Some(observer())).map_or(0, |r| r.message.len() + 1)
}

struct Case {
    name: &'static str,
    op: coufun_api::OperationId,
    bytes: Vec<u8>,
    today: fn(&[u8]) -> usize,
    off: fn(&[u8]) -> usize,
    on: fn(&[u8]) -> usize,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "goods_list_1000_euc_kr",
            op: coufun_api::OperationId::GoodsList,
            bytes: euc_kr(&goods_list_text("EUC-KR", 1000)),
            today: today::<GoodsListResponse>,
            off: off::<GoodsListResponse>,
            on: on::<GoodsListResponse>,
        },
        Case {
            name: "coupon_status_10_euc_kr",
            op: coufun_api::OperationId::CouponStatus,
            bytes: euc_kr(&status_text("EUC-KR", 10)),
            today: today::<CouponStatusResponse>,
            off: off::<CouponStatusResponse>,
            on: on::<CouponStatusResponse>,
        },
    ]
}

fn bench(c: &mut Criterion) {
    for case in cases() {
        assert!((case.today)(&case.bytes) > 0, "{} decodes", case.name);
        let mut group = c.benchmark_group(format!("drift_{}", case.name));
        group.throughput(Throughput::Bytes(case.bytes.len() as u64));
        for (name, f) in [
            ("decode_document", case.today),
            ("drift_off", case.off),
            ("drift_on", case.on),
        ] {
            group.bench_function(name, |b| b.iter(|| f(black_box(&case.bytes))));
        }
        group.finish();
    }
}

fn summary() {
    println!(
        "\nsummary (fastest of 30 alternating batches; time / decode_document's; target off within noise of 1.00)"
    );
    for case in cases() {
        let batch = (2_000_000 / case.bytes.len()).max(1);
        let time = |f: fn(&[u8]) -> usize| {
            let start = Instant::now();
            for _ in 0..batch {
                black_box(f(black_box(&case.bytes)));
            }
            start.elapsed() / batch as u32
        };
        let (mut today, mut off, mut on) = (Duration::MAX, Duration::MAX, Duration::MAX);
        for _ in 0..30 {
            today = today.min(time(case.today));
            off = off.min(time(case.off));
            on = on.min(time(case.on));
        }
        let ratio = |d: Duration| d.as_secs_f64() / today.as_secs_f64();
        let findings = coufun_api::drift::inspect(case.op, &case.bytes, None);
        println!(
            "{:<26} decode_document {:>9.1?}  drift off {:>9.1?} (x{:.3})  drift on {:>9.1?} (x{:.2}, {} findings: {:?})",
            case.name,
            today,
            off,
            ratio(off),
            on,
            ratio(on),
            findings.len(),
            findings.iter().map(|f| f.kind).collect::<Vec<_>>(),
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo test --benches` runs this with `--bench` absent: skip the summary there.
    if std::env::args().any(|a| a == "--bench") {
        summary();
    }
}
