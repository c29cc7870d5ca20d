/* mja-fake-tls.c — the fake server's test certificate and its key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A self-signed certificate for 127.0.0.1, 127.0.0.2 and localhost (valid
 * until 2126), served in browser-only mode.  The same certificate is
 * tests/fixtures/tls/cert.pem, whose README tells how it was made.  The
 * key guards nothing but a loopback test server; it is here so that the
 * demo mode and the tests need no file of their own.
 */
#include "config.h"

#include "mja-fake-server-private.h"

const char mja_fake_tls_certificate_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIB8jCCAZigAwIBAgITSB2KHbiiUKWQhrMYZxAKvbQrUjAKBggqhkjOPQQDAjAr\n"
  "MSkwJwYDVQQDDCBtamEtZmFrZS1zZXJ2ZXIgdGVzdCBjZXJ0aWZpY2F0ZTAgFw0y\n"
  "NjEyMDIwNTIwNTJaGA8yMTI2MTEwODA1MjA1MlowKzEpMCcGA1UEAwwgbWphLWZh\n"
  "a2Utc2VydmVyIHRlc3QgY2VydGlmaWNhdGUwWTATBgcqhkjOPQIBBggqhkjOPQMB\n"
  "BwNCAATiqMTwWjOPerBSCjgWrKpfKTsgvGl2v/Ma9D+0/sV7m1qfmYu1bxvt/OKE\n"
  "Grq/XW50RR/BOP3HpzTC/L1vpfHuo4GYMIGVMB0GA1UdDgQWBBQ6hBqXpxp8gF6J\n"
  "QUDmpi+/kZzNlTAfBgNVHSMEGDAWgBQ6hBqXpxp8gF6JQUDmpi+/kZzNlTAgBgNV\n"
  "HREEGTAXhwR/AAABhwR/AAACgglsb2NhbGhvc3QwDwYDVR0TAQH/BAUwAwEB/zAL\n"
  "BgNVHQ8EBAMCAoQwEwYDVR0lBAwwCgYIKwYBBQUHAwEwCgYIKoZIzj0EAwIDSAAw\n"
  "RQIgN0EaCku5rCJbCzGYw8cbAR30V13eiP30cxrg/g+FkAECIQDggKQH59yjni/6\n"
  "SjCKj2yEWm6ooeo1cfqdO5eTD97LSA==\n"
  "-----END CERTIFICATE-----\n";

const char mja_fake_tls_key_pem[] =
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0DhRyMAo/tI0hjWZ\n"
  "4v/wlTxnavdNMEPDvzDV21YxO6qhRANCAATiqMTwWjOPerBSCjgWrKpfKTsgvGl2\n"
  "v/Ma9D+0/sV7m1qfmYu1bxvt/OKEGrq/XW50RR/BOP3HpzTC/L1vpfHu\n"
  "-----END PRIVATE KEY-----\n";
