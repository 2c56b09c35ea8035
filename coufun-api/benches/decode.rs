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
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use coufun_api::responses::{CouponStatusResponse, GoodsListResponse};
use coufun_api::xml::{Response, decode_document};
use criterion::{Criterion, Throughput, criterion_group};
use quick_xml::Reader;
use quick_xml::events::Event;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const GOODS: usize = 1000;
const STATUSES: usize = 10;

/// A guide text of a few hundred bytes, varied by `i`.
fn guide(i: usize) -> String {
    let mut text = format!("[{i}번 상품 이용 안내] ");
    for line in [
        "본 쿠폰은 전국 매장에서 사용 가능하며 일부 특수 매장(공항, 휴게소)은 제외됩니다.",
        "유효기간 내 미사용 시 자동 소멸되며 현금으로 교환되지 않습니다.",
        "매장 사정에 따라 동일 가격 이상의 다른 상품으로 교환될 수 있습니다.",
    ] {
        text.push_str(line);
        text.push(' ');
    }
    text
}

/// The goods list, indented as the manual's sample, declaring `label`.
fn goods_list_text(label: &str, n: usize) -> String {
    let mut doc = format!(
        "<?xml version=\"1.0\" encoding=\"{label}\"?>\n<PRODUCTLIST>\n  <RESULT_CODE>00</RESULT_CODE>\n  <RESULT_MSG>정상처리</RESULT_MSG>\n  <LIST_CNT>{n}</LIST_CNT>\n"
    );
    for i in 0..n {
        let price = 4500 + (i % 10) * 500;
        let (valid_type, valid) = if i % 3 == 0 {
            ("E", "20271231".to_owned())
        } else {
            ("D", "90".to_owned())
        };
        let _ = write!(
            doc,
            "  <PRODUCT_INFO>
    <CAT_ID>C{cat:03}</CAT_ID>
    <GOODS_ID>G{i:09}</GOODS_ID>
    <GOODS_NAME>한강 카페 아이스 카페라떼 Tall 사이즈 {i}</GOODS_NAME>
    <GOODS_ORI_PRICE>{price}</GOODS_ORI_PRICE>
    <GOODS_PRICE>{supply}</GOODS_PRICE>
    <GOODS_INFO>에스프레소에 신선한 우유를 더한 부드러운 라떼 한 잔 (ICE, Tall 355ml). {guide}</GOODS_INFO>
    <USE_GUIDE>{guide}</USE_GUIDE>
    <EXC_BRANCH>한강 카페 전국 지점</EXC_BRANCH>
    <VALID_END_TYPE>{valid_type}</VALID_END_TYPE>
    <VALID_END_DATE>{valid}</VALID_END_DATE>
    <SEND_TYPE>M</SEND_TYPE>
    <IMAGE_PATH_S>https://img.example.invalid/goods/{i:09}_s.jpg</IMAGE_PATH_S>
    <IMAGE_PATH_M>https://img.example.invalid/goods/{i:09}_m.jpg</IMAGE_PATH_M>
    <IMAGE_PATH_B>https://img.example.invalid/goods/{i:09}_b.jpg</IMAGE_PATH_B>
    <IMAGE_SIZE_S_W>90</IMAGE_SIZE_S_W>
    <IMAGE_SIZE_S_H>90</IMAGE_SIZE_S_H>
    <IMAGE_SIZE_M_W>240</IMAGE_SIZE_M_W>
    <IMAGE_SIZE_M_H>240</IMAGE_SIZE_M_H>
    <IMAGE_SIZE_B_W>480</IMAGE_SIZE_B_W>
    <IMAGE_SIZE_B_H>480</IMAGE_SIZE_B_H>
  </PRODUCT_INFO>
",
            cat = i % 37,
            supply = price * 92 / 100,
            guide = guide(i),
        );
    }
    doc.push_str("</PRODUCTLIST>\n");
    doc
}

/// A coupon-status answer of `n` records, indented, declaring `label`.
fn status_text(label: &str, n: usize) -> String {
    let mut doc = format!(
        "<?xml version=\"1.0\" encoding=\"{label}\"?>\n<COUFUNSEARCH>\n  <RESULT_CODE>00</RESULT_CODE>\n  <RESULT_MSG>정상처리</RESULT_MSG>\n"
    );
    for i in 0..n {
        let _ = write!(
            doc,
            "  <ORDER_INFO>
    <COUPON_TYPE>{kind}</COUPON_TYPE>
    <ORDER_DATE>20240{m}15</ORDER_DATE>
    <STATUS>{status}</STATUS>
    <RECEIVER_MOBILE>0101234{i:04}</RECEIVER_MOBILE>
    <BARCODE_NUM>9{i:011}</BARCODE_NUM>
    <VALID_END_DATE>20241231</VALID_END_DATE>
    <EXCHANGE_DATE>{exchanged}</EXCHANGE_DATE>
    <CANCEL_DATE></CANCEL_DATE>
    <TOTAL_AMOUNT>30000</TOTAL_AMOUNT>
    <REMAIN_AMOUNT>{remain}</REMAIN_AMOUNT>
  </ORDER_INFO>
",
            kind = if i % 2 == 0 { "BARCODE" } else { "AMOUNT" },
            m = 1 + i % 9,
            status = if i % 3 == 0 { "001" } else { "000" },
            exchanged = if i % 3 == 0 { "20240620134501" } else { "" },
            remain = 30000 - (i % 3) * 5000,
        );
    }
    doc.push_str("</COUFUNSEARCH>\n");
    doc
}

fn euc_kr(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(text);
    assert!(!unmappable, "the benchmark text is all in EUC-KR");
    bytes.into_owned()
}

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
