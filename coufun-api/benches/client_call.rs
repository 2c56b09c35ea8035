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
            body: served,
            client,
            request,
            bare: reqwest::Client::new(),
            bare_url: format!("{base}coufunProduct.do?POC_ID=POC0000001"),
        }
    }

    /// A bare reqwest GET; `then` is applied to the body it hands back.
    fn bare_call_then(
        &self,
        runtime: &tokio::runtime::Runtime,
        then: impl FnOnce(&[u8]) -> usize,
    ) -> usize {
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
                    .map(|b| then(&b))
                    .map_err(|e| e.to_string())
            })
            .unwrap_or_else(|e| panic!("bare call: {e}"))
    }

    /// The baseline of the issue: the body's bytes, nothing more.
    fn bare_call(&self, runtime: &tokio::runtime::Runtime) -> usize {
        self.bare_call_then(runtime, <[u8]>::len)
    }

    /// What a caller of bare reqwest does to get the same records: the bare
    /// call, then this crate's decoder on its body.
    fn bare_call_decoded(&self, runtime: &tokio::runtime::Runtime) -> usize {
        self.bare_call_then(runtime, |body| {
            decode_document::<GoodsListResponse>(body, None)
                .map(|r| r.body.goods.len())
                .unwrap_or_else(|e| panic!("decode: {e}"))
        })
    }

    /// The least any client returning UTF-8 text adds: the bare call, then
    /// its body transcoded from EUC-KR.
    fn bare_call_transcoded(&self, runtime: &tokio::runtime::Runtime) -> usize {
        self.bare_call_then(runtime, |body| {
            encoding_rs::EUC_KR
                .decode_without_bom_handling(body)
                .0
                .len()
        })
    }

    fn client_call(&self, runtime: &tokio::runtime::Runtime) -> usize {
        runtime
            .block_on(self.client.goods_list(&self.request))
            .map(|r| r.goods.len())
            .unwrap_or_else(|e| panic!("client call: {e}"))
    }
}

/// The runtime the calls run on: `workers` worker threads (the local server
/// and hyper's connection tasks run there; the calls themselves on the bench
/// thread), or none (everything on the bench thread: the calls' CPU cost alone,
/// without cross-thread wake-ups).
fn runtime(workers: usize) -> tokio::runtime::Runtime {
    let mut builder = if workers == 0 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(workers);
        builder
    };
    builder
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"))
}

fn bench(c: &mut Criterion) {
    let runtime = runtime(1);
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

/// Fastest mean of 30 alternating batches of 200 runs of each of `runs`.
fn fastest_alternating<const N: usize>(runs: [&dyn Fn() -> usize; N]) -> [Duration; N] {
    let mut best = [Duration::MAX; N];
    for _ in 0..30 {
        for (run, best) in runs.iter().zip(best.iter_mut()) {
            let start = Instant::now();
            for _ in 0..200 {
                black_box(run());
            }
            *best = (*best).min(start.elapsed() / 200);
        }
    }
    best
}

/// The ratios of the issue, and what bounds them. The bare call hands back
/// bytes; the client hands back typed records whose text it transcoded from
/// EUC-KR. Each is measured as a whole call, in the same alternating batches:
/// `client ÷ (bare + decode)` is the client's own cost over a caller of bare
/// reqwest who decodes the same body with this crate's decoder, and
/// `bare ÷ (bare + transcode)` bounds `client ÷ bare` for any client that
/// returns UTF-8 text (transcoding the body is the least it must add).
fn summary() {
    println!(
        "\nsummary (fastest of 30 alternating batches of 200 calls; target client/bare >= 0.95)"
    );
    for (workers, flavour) in [(1, "server on a worker thread"), (0, "one thread")] {
        let runtime = runtime(workers);
        for items in [1, 10] {
            let setup = Setup::new(&runtime, items);
            let [bare, client, decoded, transcoded] = fastest_alternating([
                &|| setup.bare_call(&runtime),
                &|| setup.client_call(&runtime),
                &|| setup.bare_call_decoded(&runtime),
                &|| setup.bare_call_transcoded(&runtime),
            ]);
            let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
            println!(
                "local_call_{items:<2} items ({bytes:>5} bytes, {flavour:<25})  client {client:>7.1?}  \
                 bare reqwest {bare:>7.1?}  client/bare {r:.2}  |  bare+decode {decoded:>7.1?}, \
                 client/(bare+decode) {own:.2}  |  bare+transcode {transcoded:>7.1?}, \
                 bound bare/(bare+transcode) {bound:.2}",
                bytes = setup.body.len(),
                r = ratio(bare, client),
                own = ratio(decoded, client),
                bound = ratio(bare, transcoded),
            );
        }
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
