// Virtual health card (电子健康卡): accounts, bound bank cards, one-time QR nonces.
// One account per ID document (account_key) and per e-health card id; MERGE on account_key is the
// lock that makes concurrent registrations of one person meet on one account.
CREATE CONSTRAINT ehc_account_key IF NOT EXISTS FOR (a:EhcAccount) REQUIRE a.account_key IS UNIQUE;
CREATE CONSTRAINT ehc_account_ehc_id IF NOT EXISTS FOR (a:EhcAccount) REQUIRE a.ehc_id IS UNIQUE;
CREATE CONSTRAINT ehc_account_id IF NOT EXISTS FOR (a:EhcAccount) REQUIRE a.account_id IS UNIQUE;
CREATE CONSTRAINT ehc_bank_card_id IF NOT EXISTS FOR (b:EhcBankCard) REQUIRE b.bank_card_id IS UNIQUE;
// A dynamic code's token id can be consumed once: create-if-absent on this constraint is atomic.
CREATE CONSTRAINT qr_nonce_jti IF NOT EXISTS FOR (n:QrNonce) REQUIRE n.jti IS UNIQUE;
CREATE INDEX qr_nonce_exp IF NOT EXISTS FOR (n:QrNonce) ON (n.exp);
CREATE INDEX ehc_account_status IF NOT EXISTS FOR (a:EhcAccount) ON (a.status);
// National plain-form dynamic codes the service issued (the plain form has no signature: the record is
// what makes a code genuine); one record per printed text.
CREATE CONSTRAINT national_qr_code IF NOT EXISTS FOR (q:NationalQr) REQUIRE q.code IS UNIQUE;
CREATE INDEX national_qr_exp IF NOT EXISTS FOR (q:NationalQr) ON (q.exp);
