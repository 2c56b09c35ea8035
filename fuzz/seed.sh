#!/usr/bin/env bash
# Writes the seed corpora (fuzz/corpus/<target>/, not committed) from the
# repository's own test fixtures and spec files. Run from anywhere.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$root/fuzz/corpus"
mkdir -p "$corpus"/{decode_answers,form_params,spec_loader,manual_import,exchange_notice}

# Answers: each fixture, in UTF-8 (as written) and in EUC-KR, after the
# Content-Type selector byte (0: none, 1: EUC-KR).
for f in "$root"/coufun-api/tests/fixtures/*.xml; do
  name="$(basename "$f" .xml)"
  { printf '\x00'; cat "$f"; } > "$corpus/decode_answers/$name-utf8"
  { printf '\x01'; iconv -f UTF-8 -t CP949 "$f"; } > "$corpus/decode_answers/$name-euc-kr"
done

# Request forms, as the SDK writes them (CP949 percent-encoded).
printf 'POC_ID=POC0000001' > "$corpus/form_params/goods"
printf 'POC_ID=POC0000001&GOODS_ID=G000000101&TR_ID=20240101-000001&SEND_PHONE=0212345678&SEND_TITLE=%%C7%%D1%%B0%%AD+%%C4%%AB%%C6%%E4&RECEIVER_MOBILE=01012345678%%2C01087654321&SEND_MSG=%%BE%%C8%%B3%%E7&CREATE_CNT=1&VALID_END=20241231' > "$corpus/form_params/send"
printf 'POC_ID=POC0000001&GOODS_ID=G000000101&BARCODE_NUM=900012345678' > "$corpus/form_params/status"

# Spec files: the selector byte picks which file the text stands for, in
# coufun_spec::ALL's order (result codes, endpoints, notifications).
{ printf '\x00'; cat "$root/spec/result_codes.toml"; } > "$corpus/spec_loader/result_codes"
{ printf '\x01'; cat "$root/spec/endpoints.toml"; } > "$corpus/spec_loader/endpoints"
{ printf '\x02'; cat "$root/spec/notifications.toml"; } > "$corpus/spec_loader/notifications"

# Manuals: the importer's own fixtures (written in the manuals' format).
cp "$root/xtask/tests/fixtures/coufun-code-definition-v1.6.md" "$corpus/manual_import/code-definition"
for f in "$root"/xtask/tests/fixtures/interface/*.md; do
  cp "$f" "$corpus/manual_import/interface-$(basename "$f" .md)"
done

# Exchange notices: a form in EUC-KR and in UTF-8.
notice='BARCODE_NUM=900012345678&EXCHANGE_NUM=A0001&STATUS=001&EXCHANGE_DATE=20240301123000&BRANCH_NAME=%B0%AD%B3%B2+1%C8%A3%C1%A1&BRANCH_CODE=G01&BARCODE_TYPE=AMOUNT&PRICE=3000&BALANCE=7000'
{ printf '\x02'; printf '%s' "$notice"; } > "$corpus/exchange_notice/euc-kr"
{ printf '\x83'; printf 'BARCODE_NUM=900012345678&EXCHANGE_NUM=A0001&STATUS=100&EXCHANGE_DATE=20240301123000&BARCODE_TYPE=BARCODE&PRICE=0&BALANCE=0'; } > "$corpus/exchange_notice/utf8"
echo "seeded $corpus"
