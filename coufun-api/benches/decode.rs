//! Benchmark (a): typed decoding against its floor, measured in one run.
//!
//! Documents as the manuals describe them: a 1,000-record goods list (every
//! field of `PRODUCT_INFO`, Korean names, guide texts of a few hundred bytes,
//! image paths), once in EUC-KR with its XML declaration (as the server sends
//! it) and once in UTF-8, and a 10-record coupon-status answer in EUC-KR.
//! Floors: for UTF-8 the raw quick-xml event scan of the same bytes; for
//! EUC-KR, transcoding the whole document with encoding_rs plus that scan.
//! Target: typed ≥ 0.75 × its floor. After criterion's groups (whose MiB/s
//! stand side by side), a summary prints each ratio, measured on alternating
//! batches, and the allocations per record (a counting global allocator).

use std::alloc::System;
use std::hint::black_box;
use std::time::{Duration, Instant};

use coufun_api::responses::{CouponStatusResponse, GoodsListResponse};
use coufun_api::xml::{Response, decode_document};
use criterion::{Criterion, Throughput, criterion_group};
use quick_xml::Reader;
use quick_xml::events::Event;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use support::{euc_kr, goods_list_text, status_text};

mod support;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const GOODS: usize = 1000;
const STATUSES: usize = 10;

/// Every event of the document, nothing kept: the floor any decoder stands on.
fn raw_scan(bytes: &[u8]) -> usize {
    let mut reader = Reader::from_reader(bytes);
    let mut events = 0;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => return events,
            Ok(event) => {
                black_box(&event);
                events += 1;
            }
        }
    }
}

/// The EUC-KR floor: the whole document transcoded, then scanned.
fn transcode_and_scan(bytes: &[u8]) -> usize {
    let (text, _) = encoding_rs::EUC_KR.decode_without_bom_handling(bytes);
    raw_scan(text.as_bytes())
}

fn typed<R: Response>(bytes: &[u8], count: fn(&R) -> usize) -> usize {
    match decode_document::<R>(bytes, None) {
        Ok(reply) => count(&reply.body),
        Err(e) => panic!("the benchmark document decodes: {e}"),
    }
}

fn goods_count(r: &GoodsListResponse) -> usize {
    r.goods.len()
}

fn status_count(r: &CouponStatusResponse) -> usize {
    r.coupons.len()
}

/// One document and its floor.
struct Case {
    name: &'static str,
    bytes: Vec<u8>,
    records: usize,
    floor_name: &'static str,
    floor: fn(&[u8]) -> usize,
    typed: fn(&[u8]) -> usize,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "goods_list_1000_euc_kr",
            bytes: euc_kr(&goods_list_text("EUC-KR", GOODS)),
            records: GOODS,
            floor_name: "floor_transcode_and_scan",
            floor: transcode_and_scan,
            typed: |b| typed::<GoodsListResponse>(b, goods_count),
        },
        Case {
            name: "goods_list_1000_utf8",
            bytes: goods_list_text("UTF-8", GOODS).into_bytes(),
            records: GOODS,
            floor_name: "floor_raw_scan",
            floor: raw_scan,
            typed: |b| typed::<GoodsListResponse>(b, goods_count),
        },
        Case {
            name: "coupon_status_10_euc_kr",
            bytes: euc_kr(&status_text("EUC-KR", STATUSES)),
            records: STATUSES,
            floor_name: "floor_transcode_and_scan",
            floor: transcode_and_scan,
            typed: |b| typed::<CouponStatusResponse>(b, status_count),
        },
    ]
}

fn bench(c: &mut Criterion) {
    for case in cases() {
        assert_eq!((case.typed)(&case.bytes), case.records, "{}", case.name);
        let mut group = c.benchmark_group(case.name);
        group.throughput(Throughput::Bytes(case.bytes.len() as u64));
        group.bench_function(case.floor_name, |b| {
            b.iter(|| (case.floor)(black_box(&case.bytes)))
        });
        group.bench_function("typed_decode", |b| {
            b.iter(|| (case.typed)(black_box(&case.bytes)))
        });
        group.finish();
    }
}

/// The fastest of `rounds` batches, typed and floor alternating so that both
/// see the same machine load.
fn paired_times(case: &Case, rounds: usize) -> (Duration, Duration) {
    let batch = (2_000_000 / case.bytes.len()).max(1);
    let time = |f: fn(&[u8]) -> usize| {
        let start = Instant::now();
        for _ in 0..batch {
            black_box(f(black_box(&case.bytes)));
        }
        start.elapsed() / batch as u32
    };
    let (mut typed, mut floor) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        floor = floor.min(time(case.floor));
        typed = typed.min(time(case.typed));
    }
    (typed, floor)
}

fn summary() {
    println!("\nsummary (fastest of 30 alternating batches; target typed/floor >= 0.75)");
    for case in cases() {
        let (typed, floor) = paired_times(&case, 30);
        let mib = |d: Duration| case.bytes.len() as f64 / d.as_secs_f64() / (1024.0 * 1024.0);
        let region = Region::new(GLOBAL);
        black_box((case.typed)(&case.bytes));
        let allocations = region.change().allocations;
        println!(
            "{:<26} typed {:>7.1} MiB/s  {} {:>7.1} MiB/s  ratio {:.2}  allocations/record {:.1} ({} bytes)",
            case.name,
            mib(typed),
            case.floor_name,
            mib(floor),
            floor.as_secs_f64() / typed.as_secs_f64(),
            allocations as f64 / case.records as f64,
            case.bytes.len(),
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
