//! The sandbox over https (feature `tls`): faults still cut the connection
//! after its handshake (and are not taken for TLS problems), and a client
//! that never finishes its handshake holds up no other.
#![cfg(feature = "tls")]

use std::time::Duration;

use coufun_api::privacy::PocId;
use coufun_api::retry::RetryPolicy;
use coufun_api::{Client, Environment, Error, GoodsListRequest};
use coufun_sandbox::tls::TlsConfig;
use coufun_sandbox::{DEFAULT_POC_ID, Fault, FaultPlan, Sandbox, SandboxConfig, ScheduledFault};

async fn https_sandbox(faults: FaultPlan) -> Sandbox {
    let mut config = SandboxConfig::default().with_tls(TlsConfig::new());
    config.faults = faults;
    Sandbox::start(config)
        .await
        .expect("the https sandbox starts")
}

fn client(sandbox: &Sandbox) -> Client {
    let ca = sandbox.ca_certificate_pem().expect("https").as_bytes();
    Client::builder(
        Environment::Custom(sandbox.base_url()),
        PocId::new(DEFAULT_POC_ID).expect("POC_ID"),
    )
    .add_root_certificate_pem(ca)
    .expect("the sandbox's CA")
    .retry_policy(RetryPolicy::no_retry())
    .timeout(Duration::from_secs(10))
    .build()
    .expect("client")
}

fn list() -> GoodsListRequest {
    GoodsListRequest::builder().build().expect("request")
}

#[tokio::test]
async fn connection_faults_cut_a_tls_connection_too() {
    for fault in [Fault::DropAfterCommit, Fault::ResetBeforeCommit] {
        let sandbox = https_sandbox(FaultPlan::scheduled([ScheduledFault::at(0, fault)])).await;
        let client = client(&sandbox);
        let error = client.goods_list(&list()).await.unwrap_err();
        // Cut after the handshake, once the request was read: not a TLS problem.
        let Error::Transport { source, .. } = &error else {
            panic!("{fault:?}: not a transport failure after sending: {error:?}");
        };
        assert_eq!(source.tls_problem(), None, "{fault:?}: {error}");
        assert_eq!(sandbox.request_count(), 1);
        // The next request is not faulted and is answered over a new connection.
        assert!(client.goods_list(&list()).await.is_ok(), "{fault:?}");
        sandbox.shutdown().await;
    }
}

#[tokio::test]
async fn a_stalled_handshake_holds_up_no_other_connection() {
    let sandbox = https_sandbox(FaultPlan::none()).await;
    // Connected, and silent: its handshake never starts.
    let _stalled = tokio::net::TcpStream::connect(sandbox.addr())
        .await
        .expect("connects");
    tokio::task::yield_now().await;
    let answered =
        tokio::time::timeout(Duration::from_secs(8), client(&sandbox).goods_list(&list()))
            .await
            .expect("answered while another connection stalls in its handshake");
    assert!(answered.is_ok(), "{answered:?}");
    sandbox.shutdown().await;
}
