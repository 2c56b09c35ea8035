//! Benchmark (b): a full client call (form encoding, POC_ID, tracing span,
//! capped body read, typed decode) against a bare reqwest GET of the same bytes
//! from the same local server (target: client ≥ 0.9 × bare calls per second).

use std::hint::black_box;

use coufun_api::privacy::PocId;
use coufun_api::responses::{GoodsListItem, GoodsListResponse};
use coufun_api::xml::Response;
use coufun_api::{Charset, Client, Environment, GoodsListRequest, Method};
use criterion::{Criterion, criterion_group, criterion_main};

/// A goods-list answer of `items` records, in CP949 as old servers send it.
fn body(items: usize) -> Vec<u8> {
    let mut response = GoodsListResponse::default();
    for i in 0..items {
        response.goods.push(GoodsListItem {
            goods_id: Some(format!("{i:010}")),
            goods_name: Some(format!("스타벅스 카페 아메리카노 Tall {i}")),
            supply_price: Some(4500),
            ..Default::default()
        });
    }
    response.to_xml(Charset::Cp949)
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    // One record (the size of most answers: a send, a status, goods info) and ten.
    for items in [1, 10] {
        let body = body(items);
        let base = runtime.block_on(async move {
            let app = axum::Router::new().fallback(move || {
                let body = body.clone();
                async move { ([(axum::http::header::CONTENT_TYPE, "text/xml")], body) }
            });
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap_or_else(|e| panic!("bind: {e}"));
            let addr = listener
                .local_addr()
                .unwrap_or_else(|e| panic!("addr: {e}"));
            tokio::spawn(async move { axum::serve(listener, app).await });
            format!("http://{addr}/b2c_api/")
        });
        let client = Client::builder(
            Environment::Custom(base.clone()),
            PocId::new("POC0000001").unwrap_or_else(|e| panic!("{e}")),
        )
        .method(Method::Get)
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"));
        let request = GoodsListRequest::builder()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let bare = reqwest::Client::new();
        let bare_url = format!("{base}goodsList.do?POC_ID=POC0000001");

        let mut group = c.benchmark_group(format!("local_call_{items}_items"));
        group.bench_function("bare_reqwest_get", |b| {
            b.iter(|| {
                runtime.block_on(async {
                    let response = bare
                        .get(&bare_url)
                        .send()
                        .await
                        .map_err(|e| e.to_string())?;
                    response
                        .bytes()
                        .await
                        .map(|b| black_box(b.len()))
                        .map_err(|e| e.to_string())
                })
            })
        });
        group.bench_function("client_call", |b| {
            b.iter(|| {
                runtime.block_on(async {
                    client
                        .goods_list(&request)
                        .await
                        .map(|r| black_box(r.goods.len()))
                })
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
