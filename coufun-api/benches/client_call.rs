//! Benchmark (b): a full client call (form encoding, POC_ID, tracing span,
//! capped body read, typed decode) against a bare reqwest GET of the same bytes
//! from the same local server, at 1 and at 10 records of the goods list as the
//! manual describes it, in EUC-KR (target: client ≥ 0.95 × bare calls per
//! second). After criterion's groups, a summary prints each ratio, measured on
//! alternating batches.

use std::hint::black_box;
use std::time::{Duration, Instant};

use coufun_api::privacy::PocId;
use coufun_api::responses::GoodsListResponse;
use coufun_api::xml::decode_document;
use coufun_api::{Client, Environment, GoodsListRequest, Method};
use criterion::{Criterion, criterion_group};

mod support;

/// One local server answering every request with the goods list of `items` records.
struct Setup {
    items: usize,
    body: Vec<u8>,
    client: Client,
    request: GoodsListRequest,
    bare: reqwest::Client,
    bare_url: String,
}

impl Setup {
    fn new(runtime: &tokio::runtime::Runtime, items: usize) -> Self {
        let body = support::euc_kr(&support::goods_list_text("EUC-KR", items));
        let served = body.clone();
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
        Setup {
            items,
            body: served,
            client,
            request,
            bare: reqwest::Client::new(),
            bare_url: format!("{base}coufunProduct.do?POC_ID=POC0000001"),
        }
    }

    fn bare_call(&self, runtime: &tokio::runtime::Runtime) -> usize {
        runtime
            .block_on(async {
                let response = self
                    .bare
                    .get(&self.bare_url)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                response
                    .bytes()
                    .await
                    .map(|b| b.len())
                    .map_err(|e| e.to_string())
            })
            .unwrap_or_else(|e| panic!("bare call: {e}"))
    }

    fn client_call(&self, runtime: &tokio::runtime::Runtime) -> usize {
        runtime
            .block_on(self.client.goods_list(&self.request))
            .map(|r| r.goods.len())
            .unwrap_or_else(|e| panic!("client call: {e}"))
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"))
}

fn bench(c: &mut Criterion) {
    let runtime = runtime();
    // One record (the size of most answers: a send, a status, goods info) and ten.
    for items in [1, 10] {
        let setup = Setup::new(&runtime, items);
        assert_eq!(setup.client_call(&runtime), items);
        let mut group = c.benchmark_group(format!("local_call_{items}_items"));
        group.bench_function("bare_reqwest_get", |b| {
            b.iter(|| black_box(setup.bare_call(&runtime)))
        });
        group.bench_function("client_call", |b| {
            b.iter(|| black_box(setup.client_call(&runtime)))
        });
        group.finish();
    }
}

fn summary() {
    println!(
        "\nsummary (fastest of 30 alternating batches of 200 calls; target client/bare >= 0.95)"
    );
    let runtime = runtime();
    for items in [1, 10] {
        let setup = Setup::new(&runtime, items);
        let time = |f: &dyn Fn() -> usize| {
            let start = Instant::now();
            for _ in 0..200 {
                black_box(f());
            }
            start.elapsed() / 200
        };
        let decode = || {
            decode_document::<GoodsListResponse>(&setup.body, None)
                .map(|r| r.body.goods.len())
                .unwrap_or(0)
        };
        let (mut client, mut bare, mut decoding) = (Duration::MAX, Duration::MAX, Duration::MAX);
        for _ in 0..30 {
            bare = bare.min(time(&|| setup.bare_call(&runtime)));
            client = client.min(time(&|| setup.client_call(&runtime)));
            decoding = decoding.min(time(&decode));
        }
        println!(
            "local_call_{:<2} items ({} bytes)  client {:>8.1?}  bare reqwest {:>8.1?}  ratio {:.2}  \
             (of which typed decode alone {:>7.1?}; bare + decode would give {:.2})",
            setup.items,
            setup.body.len(),
            client,
            bare,
            bare.as_secs_f64() / client.as_secs_f64(),
            decoding,
            bare.as_secs_f64() / (bare + decoding).as_secs_f64(),
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if std::env::args().any(|a| a == "--bench") {
        summary();
    }
}
