//! Benchmark (a): typed decoding of a 1,000-item goods-list response against a
//! raw quick-xml event scan of the same bytes (target: typed ≥ 0.6 × raw).

use std::hint::black_box;

use coufun_api::responses::{GoodsListItem, GoodsListResponse};
use coufun_api::xml::{Reported, Response, decode_document};
use coufun_api::{Charset, SendType, ValidityType};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use quick_xml::Reader;
use quick_xml::events::Event;

/// A goods-list document of `n` items, written by the generated encoder.
fn goods_list(n: usize) -> Vec<u8> {
    let mut response = GoodsListResponse::default();
    for i in 0..n {
        response.goods.push(GoodsListItem {
            goods_id: Some(format!("{i:010}")),
            goods_name: Some(format!("스타벅스 카페 아메리카노 Tall {i}")),
            category_id: Some(format!("{:04}", i % 37)),
            list_price: Some(4500 + (i as i64 % 10) * 100),
            supply_price: Some(4100 + (i as i64 % 10) * 100),
            goods_info: Some("따뜻한 또는 아이스 아메리카노 1잔".to_owned()),
            use_guide: Some("매장에서 바코드를 보여 주세요".to_owned()),
            exchange_place: Some("스타벅스 전 매장".to_owned()),
            validity_type: Some(Reported::Known(ValidityType::DaysFromSending)),
            validity: Some("90".to_owned()),
            send_type: Some(Reported::Known(SendType::Mms)),
            image_big: Some(format!("https://img.example.invalid/{i:010}.jpg")),
            image_big_width: Some(500),
            image_big_height: Some(500),
            ..Default::default()
        });
    }
    response.to_xml(Charset::Utf8)
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

fn bench(c: &mut Criterion) {
    let bytes = goods_list(1000);
    let typed = decode_document::<GoodsListResponse>(&bytes, None).map(|r| r.body.goods.len());
    assert_eq!(typed.ok(), Some(1000), "the document decodes");
    let mut group = c.benchmark_group("goods_list_1000");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("raw_quick_xml_scan", |b| {
        b.iter(|| raw_scan(black_box(&bytes)))
    });
    group.bench_function("typed_decode", |b| {
        b.iter(|| {
            decode_document::<GoodsListResponse>(black_box(&bytes), None)
                .map(|r| r.body.goods.len())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
