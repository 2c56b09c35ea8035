//! Speed of the checks: CP949 byte counting against `encoding_rs` encode-then-len
//! on a Korean 300-byte body, and checking a whole coupon-send request.

use std::hint::black_box;

use coufun_api::{Body, Charset, CouponSendRequest, cp949_len};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// A Korean body of exactly `Body::MAX_BYTES` CP949 bytes: Hangul with some ASCII
/// spaces and punctuation, as a real message.
fn korean_body() -> String {
    let words = [
        "안녕하세요",
        "고객님",
        "쿠폰이",
        "도착했습니다.",
        "감사합니다!",
    ];
    let max = Body::MAX_BYTES as usize;
    let mut body = String::new();
    for word in words.iter().cycle() {
        let next = format!("{word} ");
        if cp949_len(&body).unwrap_or(max) + cp949_len(&next).unwrap_or(max) > max {
            break;
        }
        body.push_str(&next);
    }
    while cp949_len(&body).unwrap_or(max) < max {
        body.push('.');
    }
    body
}

fn byte_counting(c: &mut Criterion) {
    let body = korean_body();
    let mut group = c.benchmark_group("cp949_len_300_byte_body");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("coufun_rules_scan", |b| {
        b.iter(|| cp949_len(black_box(&body)))
    });
    group.bench_function("encoding_rs_encode_then_len", |b| {
        b.iter(|| {
            let (bytes, _, had_errors) = encoding_rs::EUC_KR.encode(black_box(&body));
            (bytes.len(), had_errors)
        })
    });
    group.finish();
}

fn coupon_send(c: &mut Criterion) {
    let body = korean_body();
    let recipients: Vec<String> = (1..=CouponSendRequest::RECIPIENTS_LIST.max)
        .map(|i| format!("010-1234-{i:04}"))
        .collect();
    c.bench_function("build_coupon_send_9_recipients", |b| {
        b.iter(|| {
            CouponSendRequest::builder()
                .goods_id("0000012345")
                .tr_id("20240101-000001")
                .sender("02-1234-5678")
                .subject("생일 축하 쿠폰이 도착했습니다")
                .recipients(recipients.iter().map(String::as_str))
                .body(body.as_str())
                .build_with(black_box(Charset::Cp949))
        })
    });
}

criterion_group!(benches, byte_counting, coupon_send);
criterion_main!(benches);
