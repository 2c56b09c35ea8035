//! Quick start: `cargo run --example quickstart`.
//!
//! Starts the COUFUN sandbox in this process and walks one coupon's life through
//! the SDK: list goods, send a coupon to two recipients, look up its status,
//! resend, change a recipient, resend until the 4th resend is refused (20),
//! cancel, cancel again (18). Every step prints its result code in Korean and
//! English; the example exits non-zero if any step answers other than expected.

use std::process::ExitCode;

use coufun_api::privacy::PocId;
use coufun_api::tr_id::TrIdGenerator;
use coufun_api::{
    ChangeRecipientRequest, Client, CouponCancelRequest, CouponResendRequest, CouponSendRequest,
    CouponStatusRequest, Environment, GoodsListRequest, Lang, ResultCode,
};
use coufun_sandbox::{DEFAULT_POC_ID, Sandbox, SandboxConfig};

type Failure = Box<dyn std::error::Error>;

/// Prints one step and its result code; `Err` when the code is not the expected one.
fn step<R>(
    title: &str,
    result: &Result<R, coufun_api::Error>,
    expected: ResultCode,
) -> Result<(), Failure> {
    let code = match result {
        Ok(_) => ResultCode::Success,
        Err(error) => error
            .result_code()
            .ok_or_else(|| format!("{title}: {error}"))?,
    };
    println!(
        "{title}\n    → {} {} / {}",
        code.as_str(),
        code.message(Lang::Ko),
        code.message(Lang::En)
    );
    if code != expected {
        return Err(format!(
            "{title}: expected {}, got {}",
            expected.as_str(),
            code.as_str()
        )
        .into());
    }
    Ok(())
}

async fn lifecycle(client: &Client) -> Result<(), Failure> {
    // 1. Goods the merchant may issue.
    let list = client
        .goods_list(&GoodsListRequest::builder().build()?)
        .await;
    step("1. 상품목록 조회 / list goods", &list, ResultCode::Success)?;
    let goods = list?.goods;
    for g in goods.iter().take(3) {
        println!(
            "       {} {} ({}원)",
            g.goods_id.as_deref().unwrap_or("?"),
            g.goods_name.as_deref().unwrap_or("?"),
            g.price.unwrap_or_default()
        );
    }
    let goods_id = goods
        .first()
        .and_then(|g| g.goods_id.clone())
        .ok_or("the catalogue is empty")?;

    // 2. Send one coupon to two recipients, exactly once: the TR_ID is the
    //    idempotency key, and a lost answer is reconciled by status lookup.
    let tr_ids = TrIdGenerator::with_prefix("quickstart-")?;
    let tr_id = tr_ids.next_id();
    let send = CouponSendRequest::builder()
        .goods_id(goods_id.as_str())
        .tr_id(tr_id.clone())
        .sender("02-1234-5678")
        .subject("커피 한 잔 선물이 도착했어요")
        .recipients(["010-1234-5678", "010-9876-5432"])
        .body("맛있게 드세요!")
        .build()?;
    let sent = client.coupon_send(&send).await.into_result();
    step(
        "2. 쿠폰발송 (수신자 2명) / send to two recipients",
        &sent,
        ResultCode::Success,
    )?;
    let sent = sent?;
    let order_id = sent.order_id().ok_or("no ORDER_ID")?.to_owned();
    let coupons = sent.coupon_numbers();
    let coupon = coupons.first().map(|c| c.to_string()).ok_or("no coupon")?;
    println!(
        "       TR_ID {tr_id}, ORDER_ID {order_id}, {} coupons, issued in {} call(s)",
        coupons.len(),
        sent.attempts
    );

    // 3. Status, by the TR_ID that issued it.
    let by_tr_id = CouponStatusRequest::builder()
        .tr_id(tr_id.clone())
        .build()?;
    let status = client.coupon_status(&by_tr_id).await;
    step(
        "3. 쿠폰상태조회 / look up status",
        &status,
        ResultCode::Success,
    )?;
    for c in &status?.coupons {
        println!(
            "       {} {} → {}",
            c.coupon_number.as_deref().unwrap_or("?"),
            c.status
                .as_ref()
                .and_then(|s| s.known())
                .map_or_else(|| "?".to_owned(), |s| format!("{s:?}")),
            c.recipient
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        );
    }

    let resend = CouponResendRequest::builder()
        .order_id(order_id.as_str())
        .coupon_number(coupon.as_str())
        .build()?;
    // 4. Resend once.
    let resent = client.coupon_resend(&resend).await;
    step(
        "4. 쿠폰재발송 (1회) / resend (1st)",
        &resent,
        ResultCode::Success,
    )?;

    // 5. Change the recipient of that coupon.
    let change = ChangeRecipientRequest::builder()
        .order_id(order_id.as_str())
        .coupon_number(coupon.as_str())
        .recipient("010-5555-6666")
        .build()?;
    let changed = client.change_recipient(&change).await;
    step(
        "5. 쿠폰수신자번호변경 / change recipient",
        &changed,
        ResultCode::Success,
    )?;

    // 6. Resend until the limit: the 2nd and 3rd pass, the 4th answers 20.
    for n in ["2nd", "3rd"] {
        let again = client.coupon_resend(&resend).await;
        step(
            &format!("6. 쿠폰재발송 / resend ({n})"),
            &again,
            ResultCode::Success,
        )?;
    }
    let fourth = client.coupon_resend(&resend).await;
    step(
        "7. 쿠폰재발송 (4회) / resend (4th)",
        &fourth,
        ResultCode::ResendLimitExceeded,
    )?;

    // 7. Cancel the order, then cancel it again.
    let cancel = CouponCancelRequest::builder()
        .order_id(order_id.as_str())
        .build()?;
    let cancelled = client.coupon_cancel(&cancel).await;
    step("8. 쿠폰취소 / cancel", &cancelled, ResultCode::Success)?;
    let again = client.coupon_cancel(&cancel).await;
    step(
        "9. 쿠폰취소 (다시) / cancel again",
        &again,
        ResultCode::CouponAlreadyCancelled,
    )?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let sandbox = match Sandbox::start(SandboxConfig::default()).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("cannot start the sandbox: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("COUFUN sandbox at {}\n", sandbox.base_url());
    let outcome = match connect(&sandbox) {
        Ok(client) => lifecycle(&client).await,
        Err(error) => Err(error),
    };
    let ledger = sandbox.ledger();
    sandbox.shutdown().await;
    match outcome {
        Ok(()) => {
            println!(
                "\nDone: {} order(s), {} coupon(s) in the sandbox ledger.",
                ledger.orders.len(),
                ledger.coupon_count()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("\nquickstart failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// A client pointed at the sandbox, as the built-in merchant.
fn connect(sandbox: &Sandbox) -> Result<Client, Failure> {
    let poc_id = PocId::new(DEFAULT_POC_ID)?;
    Ok(Client::builder(Environment::Custom(sandbox.base_url()), poc_id).build()?)
}
