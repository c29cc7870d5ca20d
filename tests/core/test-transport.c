/* test-transport.c — the transport contract, run against the direct transport
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The cases are transport-contract.c's; this main gives them the direct
 * transport (libsoup), and adds what only the direct one does: trusting
 * the extra certificate of MJA_TLS_CERTIFICATE and nothing else.
 */
#include "config.h"

#include "mja-transport-soup.h"
#include "test-utils.h"
#include "transport-contract.h"

static MjaTransport *
create_direct (const char     *api_base,
               const char     *cdn_base,
               MjaCredentials *credentials,
               gpointer        user_data)
{
  MjaTransport *transport = mja_transport_soup_new ();

  mja_transport_soup_set_credentials (MJA_TRANSPORT_SOUP (transport), credentials);
  return transport;
}

int
main (int    argc,
      char **argv)
{
  static const TransportContract direct = { "direct", create_direct, NULL, NULL };

  g_test_init (&argc, &argv, NULL);
  transport_contract_add_tests (&direct);
  return g_test_run ();
}
