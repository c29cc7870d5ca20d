/* transport-contract.h — what every MjaTransport must keep, as GTest cases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cases are written once against the interface and added for one
 * transport by a small main (tests/core/test-transport.c for the direct
 * one, tests/web/test-web-transport.c for the browser one): size caps
 * (announced, streamed and compressed), deadlines and cancellation, for
 * API answers and downloads alike; 429 with Retry-After and 5xx retried
 * by the API client and by the downloader; no cookie to the CDN (a host
 * of its own) nor to the token service; redirects not followed for the
 * API and, for media, only within the CDN; .part files replaced, never
 * written through a symlink, and renamed by the downloader once whole.
 */
#pragma once

#include "mja-credentials.h"
#include "mja-transport.h"

G_BEGIN_DECLS

typedef struct
{
  /* Names the cases: "/transport/NAME/…". */
  const char *name;
  /* A new transport signed in with @credentials (its Cookie header is what
   * the contract's server expects on API requests), for a server whose
   * API origin is @api_base ("http://127.0.0.1:PORT", or https).  Media
   * come from @cdn_base, another origin. */
  MjaTransport *(*create) (const char     *api_base,
                           const char     *cdn_base,
                           MjaCredentials *credentials,
                           gpointer        user_data);
  gpointer    user_data;
  /* (nullable) A PEM file with a certificate and its key: the servers
   * then speak HTTPS with it (the transport must trust it, e.g. through
   * MJA_TLS_CERTIFICATE). */
  const char *tls_pem;
  /* The transport's engine follows a redirect of media before the
   * transport sees the answer (WebKit's downloads), so the other host is
   * asked; the transport must still refuse its answer. */
  gboolean    engine_follows_redirects;
} TransportContract;

/* Adds the contract's cases; @contract must outlive g_test_run(). */
void transport_contract_add_tests (const TransportContract *contract);

G_END_DECLS
