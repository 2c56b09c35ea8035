//! Quick start: `cargo run --example quickstart`.
//!
//! Starts the COUFUN sandbox in this process and walks the documented lifecycle
//! of a stored-value (AMOUNT) voucher through the SDK: list goods, create a
//! coupon, look up its status and balance, a shop redeems part of it (the
//! sandbox's admin route), status again, cancel, cancel again (18). Every step
//! prints its result code in Korean and English; the example exits non-zero if
//! any step answers other than expected.

use std::process::ExitCode;

use coufun_api::issuance::IssueOutcome;
use coufun_api::privacy::PocId;
use coufun_api::tr_id::TrIdGenerator;
use coufun_api::{
    Client, CouponCancelRequest, CouponCreateRequest, CouponStatusRequest, Environment,
    GoodsListRequest, Lang, ResultCode,
};
use coufun_sandbox::{DEFAULT_POC_ID, Sandbox, SandboxConfig};

type Failure = Box<dyn std::error::Error>;

/// A 10,000 won stored-value voucher of the sandbox's built-in catalogue.
const VOUCHER: &str = "0000200003";

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

/// Prints one coupon's status answer.
fn show_status(status: &coufun_api::responses::CouponStatusResponse) {
    for c in &status.coupons {
        let known = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
        println!(
            "       {} {} {} | 총액 {} 잔액 {} | 교환 {} 취소 {} | 유효기간 {}",
            c.coupon_number.as_deref().unwrap_or("?"),
            known(
                c.coupon_type
                    .as_ref()
                    .and_then(|t| t.known())
                    .map(|t| format!("{t:?}"))
            ),
            known(
                c.status
                    .as_ref()
                    .and_then(|s| s.known())
                    .map(|s| format!("{s:?}"))
            ),
            known(c.total_amount.map(|a| a.to_string())),
            known(c.remaining_amount.map(|a| a.to_string())),
            known(c.exchanged_at.map(|t| t.to_string())),
            known(c.cancelled_at.map(|t| t.to_string())),
            known(c.valid_until.map(|d| d.to_string())),
        );
    }
}

async fn lifecycle(client: &Client, admin: &str) -> Result<(), Failure> {
    // 1. Goods the merchant may issue (coufunProduct.do), and one of them found
    //    in that list (there is no separate goods-info operation).
    let list = client
        .goods_list(&GoodsListRequest::builder().build()?)
        .await;
    step(
        "1. 상품정보 (상품목록) / list goods",
        &list,
        ResultCode::Success,
    )?;
    let list = list?;
    println!("       LIST_CNT {}", list.list_count.unwrap_or_default());
    for g in list.goods.iter().take(3) {
        println!(
            "       {} {} (정가 {}원, 공급가 {}원)",
            g.goods_id.as_deref().unwrap_or("?"),
            g.goods_name.as_deref().unwrap_or("?"),
            g.list_price.unwrap_or_default(),
            g.supply_price.unwrap_or_default()
        );
    }
    let voucher = client
        .goods_info(VOUCHER)
        .await?
        .ok_or("the stored-value voucher is not listed")?;
    println!(
        "       {VOUCHER}: {}",
        voucher.goods_name.as_deref().unwrap_or("?")
    );

    // 2. Create one coupon (coufunCreate.do). The TR_ID is the idempotency key:
    //    every retry sends the same one, and the outcome says what is known.
    let tr_ids = TrIdGenerator::with_prefix("quickstart-")?;
    let tr_id = tr_ids.next_id();
    let create = CouponCreateRequest::builder()
        .goods_id(VOUCHER)
        .quantity(1u64)
        .tr_id(tr_id.clone())
        .reserve1("주문 2026-0001")
        .build()?;
    let created = match client.coupon_create(&create).await {
        IssueOutcome::Issued(issued) => issued,
        IssueOutcome::NotIssued(refused) => {
            return Err(format!("not issued: {}", refused.error).into());
        }
        IssueOutcome::EarlierAttemptReached(earlier) => {
            return Err(format!(
                "TR_ID {} was used before: coupons probably exist, numbers unknown",
                earlier.tr_id
            )
            .into());
        }
        IssueOutcome::Unknown(unknown) => {
            return Err(format!("outcome unknown, retry TR_ID {}", unknown.tr_id).into());
        }
        IssueOutcome::Mismatched(mismatch) => {
            return Err(
                format!("not this request's answer, reconcile by TR_ID: {mismatch}").into(),
            );
        }
    };
    step(
        "2. 쿠폰생성 / create a coupon",
        &Ok::<_, coufun_api::Error>(()),
        ResultCode::Success,
    )?;
    // The answer states ORDER_CNT and lists one BARCODE_NUM per coupon: a short
    // answer is still issued (deliver what is listed, reconcile the rest by TR_ID).
    let count = created.coupon_count();
    if !count.is_consistent() {
        eprintln!("       warning: coupon count disagrees ({count}): reconcile TR_ID {tr_id}");
    }
    let coupon = created
        .coupon_numbers()
        .first()
        .map(|c| c.to_string())
        .ok_or("no BARCODE_NUM")?;
    println!(
        "       TR_ID {tr_id}, ORDER_ID {}, BARCODE_NUM {coupon}, in {} call(s)",
        created.order_id().unwrap_or("?"),
        created.attempts
    );

    // 3. Status and balance (coufunPartAmountStatus.do), by GOODS_ID + BARCODE_NUM.
    let lookup = CouponStatusRequest::builder()
        .goods_id(VOUCHER)
        .coupon_number(coupon.as_str())
        .build()?;
    let status = client.coupon_status(&lookup).await;
    step("3. 쿠폰상태조회 / status", &status, ResultCode::Success)?;
    show_status(&status?);

    // 4. A shop uses 2,500 won of it (the sandbox's admin route stands in for
    //    the shop; COUFUN itself has no such API).
    let redeemed = reqwest::Client::new()
        .post(format!(
            "{admin}/_admin/coupons/{coupon}/redeem?amount=2500"
        ))
        .send()
        .await?;
    if !redeemed.status().is_success() {
        return Err(format!("redeem refused: {}", redeemed.text().await?).into());
    }
    println!(
        "4. 매장에서 2,500원 사용 (샌드박스) / a shop redeems 2,500 won\n    → {}",
        redeemed.text().await?
    );

    // 5. Status again: used (001), the exchange time, 7,500 won left.
    let status = client.coupon_status(&lookup).await;
    step("5. 쿠폰상태조회 / status", &status, ResultCode::Success)?;
    show_status(&status?);

    // 6. Cancel it (coufunPartCancel.do), then cancel it again: 18.
    let cancel = CouponCancelRequest::builder()
        .goods_id(VOUCHER)
        .coupon_number(coupon.as_str())
        .build()?;
    let cancelled = client.coupon_cancel(&cancel).await;
    step("6. 쿠폰취소 / cancel", &cancelled, ResultCode::Success)?;
    let again = client.coupon_cancel(&cancel).await;
    step(
        "7. 쿠폰취소 (다시) / cancel again",
        &again,
        ResultCode::CouponAlreadyCancelled,
    )?;
    let status = client.coupon_status(&lookup).await;
    step("8. 쿠폰상태조회 / status", &status, ResultCode::Success)?;
    show_status(&status?);
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
        Ok(client) => lifecycle(&client, &format!("http://{}", sandbox.addr())).await,
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
