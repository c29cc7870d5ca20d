/* fuzz-listing.c — an answer of the listing endpoint, in either era
 *
 * The first byte chooses the era (even: current, odd: legacy), the rest is
 * the body, read through the bounded reader as the API client reads it.
 * Broken JSON is the API client's to refuse; JSON of any shape must give a
 * page, the end of the list, or an error — and every job on a page must be
 * valid.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "mja-api.h"
#include "mja-fuzz.h"
#include "mja-json.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(MjaApi) api = NULL;
  g_autoptr(MjaListing) listing = NULL;
  g_autoptr(MjaCredentials) credentials = mja_credentials_new_legacy ("fuzz-session-token", "123456789", NULL);

  if (size < 1 ||
      (root = mja_json_parse ((const char *) data + 1, size - 1, MJA_JSON_MAX_PAGE_VALUES, "fuzz", NULL)) == NULL)
    return 0;

  api = mja_api_new ("http://127.0.0.1:9", "http://127.0.0.1:9");
  mja_api_set_credentials (api, credentials);
  mja_api_set_protocol (api, data[0] % 2 == 0 ? MJA_PROTOCOL_CURRENT : MJA_PROTOCOL_LEGACY);
  listing = mja_api_list (api, 50, NULL, NULL);
  /* The same answer twice: a repeated cursor must end the list. */
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GError) error = NULL;
      MjaPage *page = mja_listing_take_answer (listing, root, &error);

      if (page == NULL)
        {
          g_assert (error == NULL || g_utf8_validate (error->message, -1, NULL));
          break;
        }
      g_assert (error == NULL);
      for (guint i = 0; i < page->jobs->len; i++)
        g_assert (mja_job_id_is_valid (mja_job_get_id (g_ptr_array_index (page->jobs, i))));
      for (guint i = 0; i < page->rejected->len; i++)
        g_assert (g_utf8_validate (g_ptr_array_index (page->rejected, i), -1, NULL));
      mja_page_free (page);
    }
  return 0;
}
