/* test-credentials.c — the session a person pastes, its expiry, the environment, the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a person pastes into Preferences or `mj-archiver-cli login` is
 * understood or refused with a message that never repeats the secret;
 * the id token's expiry decides when it is refreshed; the environment's
 * variables sign in the CLI; the keyring (libsecret's file backend, in a
 * folder of the test's own) keeps one account and gives it back.
 */
#include "config.h"

#include <string.h>

#include "mja-credentials.h"
#include "test-utils.h"

#define USER_ID   "0b9a24ce-1d4f-4f5e-9d3e-5c8a0f0e7a11"
#define ID_COOKIE "__Host-Midjourney.AuthUserTokenV3_i"
#define RF_COOKIE "__Host-Midjourney.AuthUserTokenV3_r"
#define LG_COOKIE "__Secure-next-auth.session-token"
#define REFRESH   "AMf-vBx3refresh_token-9zQ"
#define LEGACY    "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..legacy-session-token_42"

static char *keyring_dir;

/* Linked with -Wl,--wrap=g_free (tests/core/meson.build): every g_free()
 * of the core's code and this file's comes here first, so that a secret
 * watched is seen, still allocated, as it is freed. */
void __real_g_free (gpointer mem);
void __wrap_g_free (gpointer mem);

typedef struct
{
  gpointer  mem;     /* what to look at when it is freed */
  gsize     length;
  gboolean  freed;
  gboolean  wiped;   /* all zero by then */
} Watched;

static Watched watched[2];

void
__wrap_g_free (gpointer mem)
{
  for (guint i = 0; mem != NULL && i < G_N_ELEMENTS (watched); i++)
    if (g_atomic_pointer_get (&watched[i].mem) == mem)
      {
        const char *bytes = mem;

        watched[i].freed = TRUE;
        watched[i].wiped = TRUE;
        for (gsize j = 0; j < watched[i].length; j++)
          watched[i].wiped &= bytes[j] == '\0';
        g_atomic_pointer_set (&watched[i].mem, NULL);
      }
  __real_g_free (mem);
}

static void
watch (guint       slot,
       const char *secret)
{
  watched[slot].length = strlen (secret);
  watched[slot].freed = watched[slot].wiped = FALSE;
  g_atomic_pointer_set (&watched[slot].mem, (gpointer) secret);
}

static void
assert_wiped (guint slot)
{
  g_assert_true (watched[slot].freed);
  g_assert_true (watched[slot].wiped);
}

static char *
base64url (const char *text)
{
  char *encoded = g_base64_encode ((const guchar *) text, strlen (text));

  g_strdelimit (encoded, "+", '-');
  g_strdelimit (encoded, "/", '_');
  for (char *end = encoded + strlen (encoded); end > encoded && end[-1] == '='; end--)
    end[-1] = '\0';
  return encoded;
}

/* An id token as Midjourney's sign-in issues it; @payload is its JSON. */
static char *
make_jwt (const char *payload)
{
  g_autofree char *header = base64url ("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
  g_autofree char *body = base64url (payload);

  return g_strdup_printf ("%s.%s.c2lnbmF0dXJl", header, body);
}

static char *
make_id_token (gint64 exp)
{
  g_autofree char *payload = g_strdup_printf ("{\"midjourney_id\":\"%s\",\"exp\":%" G_GINT64_FORMAT "}", USER_ID,
                                              exp);
  return make_jwt (payload);
}

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The text was refused with @code, and the message does not repeat @secret. */
static void
assert_refused (const char *text,
                const char *user_id,
                int         code,
                const char *secret)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) credentials = mja_credentials_parse (text, user_id, &error);

  g_assert_null (credentials);
  g_assert_error (error, MJA_CREDENTIALS_ERROR, code);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpuint (strlen (error->message), >, 0);
  if (secret != NULL)
    g_assert_null (strstr (error->message, secret));
}

/* A browser's whole Cookie header, wrapped as header views wrap it, with
 * cookies of other sites' scripts among Midjourney's. */
static void
test_parse_cookie_header (void)
{
  g_autofree char *id_token = make_id_token (now_s () + 3600);
  g_autofree char *header = g_strdup_printf ("_ga=GA1.1.123; " ID_COOKIE "=%s;\r\n\t" RF_COOKIE "=" REFRESH "; "
                                             LG_COOKIE "=" LEGACY "; cf_clearance=abc.def-1",
                                             id_token);
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) credentials = mja_credentials_parse (header, NULL, &error);
  g_autoptr(MjaCredentials) again = NULL;
  g_autofree char *cookie = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (mja_credentials_get_kind (credentials), ==, MJA_CREDENTIALS_CURRENT);
  g_assert_cmpstr (mja_credentials_get_user_id (credentials), ==, USER_ID);
  g_assert_cmpstr (mja_credentials_get_id_token (credentials), ==, id_token);
  g_assert_cmpstr (mja_credentials_get_refresh_token (credentials), ==, REFRESH);
  /* Both sites' cookies: the legacy one is kept for the legacy listing. */
  g_assert_cmpstr (mja_credentials_get_session_token (credentials), ==, LEGACY);

  /* What is sent holds Midjourney's session and nothing of the rest. */
  cookie = mja_credentials_dup_cookie_header (credentials);
  g_assert_nonnull (strstr (cookie, id_token));
  g_assert_nonnull (strstr (cookie, REFRESH));
  g_assert_null (strstr (cookie, "_ga"));
  g_assert_null (strstr (cookie, "cf_clearance"));
  again = mja_credentials_parse (cookie, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mja_credentials_get_id_token (again), ==, id_token);
  g_assert_cmpstr (mja_credentials_get_refresh_token (again), ==, REFRESH);
}

/* The tokens alone, as someone copies them from the browser's storage view. */
static void
test_parse_bare_tokens (void)
{
  g_autofree char *id_token = make_id_token (now_s () + 3600);
  g_autofree char *two_lines = g_strdup_printf ("  %s\n%s\n", id_token, REFRESH);
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) alone = mja_credentials_parse (id_token, NULL, &error);
  g_autoptr(MjaCredentials) both = NULL;
  g_autoptr(MjaCredentials) legacy = NULL;
  g_autofree char *legacy_cookie = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (mja_credentials_get_kind (alone), ==, MJA_CREDENTIALS_CURRENT);
  g_assert_cmpstr (mja_credentials_get_user_id (alone), ==, USER_ID);
  g_assert_null (mja_credentials_get_refresh_token (alone));

  both = mja_credentials_parse (two_lines, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mja_credentials_get_id_token (both), ==, id_token);
  g_assert_cmpstr (mja_credentials_get_refresh_token (both), ==, REFRESH);

  /* A token that is no JWT, with a user id: the legacy site's session. */
  legacy = mja_credentials_parse ("legacy-session-token_42", "123456789", &error);
  g_assert_no_error (error);
  g_assert_cmpint (mja_credentials_get_kind (legacy), ==, MJA_CREDENTIALS_LEGACY);
  g_assert_cmpstr (mja_credentials_get_user_id (legacy), ==, "123456789");
  g_assert_cmpstr (mja_credentials_get_session_token (legacy), ==, "legacy-session-token_42");
  legacy_cookie = mja_credentials_dup_cookie_header (legacy);
  g_assert_cmpstr (legacy_cookie, ==, LG_COOKIE "=legacy-session-token_42");
}

/* Everything that is not a session is refused, and no message repeats
 * what was pasted: it may be a secret, and messages reach logs. */
static void
test_parse_refused (void)
{
  g_autofree char *no_user = make_jwt ("{\"exp\":4102444800}");
  g_autofree char *bad_user = make_jwt ("{\"midjourney_id\":\"../../etc/passwd\",\"exp\":4102444800}");
  g_autofree char *number_user = make_jwt ("{\"midjourney_id\":42}");
  g_autofree char *not_json = make_jwt ("not json at all");
  g_autofree char *id_token = make_id_token (now_s () + 3600);
  g_autofree char *bad_refresh = g_strdup_printf (ID_COOKIE "=%s; " RF_COOKIE "=secret\"refresh<", id_token);
  g_autofree char *bad_cookie = g_strdup_printf (ID_COOKIE "=%s", bad_user);

  assert_refused (NULL, NULL, MJA_CREDENTIALS_ERROR_NOT_FOUND, NULL);
  assert_refused ("", NULL, MJA_CREDENTIALS_ERROR_NOT_FOUND, NULL);
  assert_refused ("_ga=GA1.1.123; theme=dark", NULL, MJA_CREDENTIALS_ERROR_INVALID, "GA1.1.123");
  assert_refused (no_user, NULL, MJA_CREDENTIALS_ERROR_INVALID, no_user);
  assert_refused (bad_user, NULL, MJA_CREDENTIALS_ERROR_INVALID, bad_user);
  assert_refused (bad_cookie, NULL, MJA_CREDENTIALS_ERROR_INVALID, bad_user);
  assert_refused (number_user, NULL, MJA_CREDENTIALS_ERROR_INVALID, number_user);
  assert_refused (not_json, NULL, MJA_CREDENTIALS_ERROR_INVALID, not_json);
  assert_refused ("a.b", NULL, MJA_CREDENTIALS_ERROR_INVALID, NULL);
  assert_refused (bad_refresh, NULL, MJA_CREDENTIALS_ERROR_INVALID, "secret\"refresh<");
  /* A legacy token needs a user id that can be one. */
  assert_refused (LG_COOKIE "=legacy-token-77", NULL, MJA_CREDENTIALS_ERROR_INVALID, "legacy-token-77");
  assert_refused (LG_COOKIE "=legacy-token-77", "../me", MJA_CREDENTIALS_ERROR_INVALID, "legacy-token-77");
  assert_refused ("legacy token with spaces; and=semicolons", "123", MJA_CREDENTIALS_ERROR_INVALID, "semicolons");
  assert_refused (LG_COOKIE "=secret\"legacy<", "123", MJA_CREDENTIALS_ERROR_INVALID, "secret\"legacy<");
}

/* The id token lives an hour: refreshed shortly before it ends, never
 * when it cannot be (no refresh token, or the legacy site). */
static void
test_expiry (void)
{
  gint64 now = now_s ();
  g_autofree char *fresh = make_id_token (now + 3600);
  g_autofree char *ending = make_id_token (now + 30);
  g_autofree char *ended = make_id_token (now - 5);
  g_autofree char *no_exp = make_jwt ("{\"midjourney_id\":\"" USER_ID "\"}");
  g_autofree char *far = make_id_token (G_MAXINT64);
  g_autofree char *long_ago = make_id_token (G_MININT64);
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) credentials = NULL;
  g_autoptr(MjaCredentials) no_refresh = NULL;
  g_autoptr(MjaCredentials) legacy = NULL;
  g_autoptr(MjaCredentials) edge = NULL;

  credentials = mja_credentials_new_current (fresh, REFRESH, &error);
  g_assert_no_error (error);
  g_assert_false (mja_credentials_needs_refresh (credentials, now));
  /* An hour later it has ended. */
  g_assert_true (mja_credentials_needs_refresh (credentials, now + 3600));
  g_assert_true (mja_credentials_needs_refresh (credentials, now + 3590));

  /* A new token from the refresh: good for another hour, the refresh
   * token rotated, or kept when the answer has none. */
  mja_credentials_update_tokens (credentials, ending, "rotated-refresh");
  g_assert_true (mja_credentials_needs_refresh (credentials, now));
  g_assert_cmpstr (mja_credentials_get_refresh_token (credentials), ==, "rotated-refresh");
  mja_credentials_update_tokens (credentials, fresh, NULL);
  g_assert_false (mja_credentials_needs_refresh (credentials, now));
  g_assert_cmpstr (mja_credentials_get_id_token (credentials), ==, fresh);
  g_assert_cmpstr (mja_credentials_get_refresh_token (credentials), ==, "rotated-refresh");
  mja_credentials_update_tokens (credentials, ended, NULL);
  g_assert_true (mja_credentials_needs_refresh (credentials, now));

  no_refresh = mja_credentials_new_current (ended, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (mja_credentials_needs_refresh (no_refresh, now));

  legacy = mja_credentials_new_legacy ("legacy-token", "123", &error);
  g_assert_no_error (error);
  g_assert_false (mja_credentials_needs_refresh (legacy, now));

  /* A token without "exp" is used until the server says otherwise. */
  edge = mja_credentials_new_current (no_exp, REFRESH, &error);
  g_assert_no_error (error);
  g_assert_false (mja_credentials_needs_refresh (edge, now));
  /* Extreme expiries: no overflow either way. */
  mja_credentials_update_tokens (edge, far, NULL);
  g_assert_false (mja_credentials_needs_refresh (edge, now));
  mja_credentials_update_tokens (edge, long_ago, NULL);
  g_assert_true (mja_credentials_needs_refresh (edge, now));
}

/* The CLI's variables: a whole cookie first, else a legacy token and id. */
static void
test_environment (void)
{
  g_autofree char *id_token = make_id_token (now_s () + 3600);
  g_autofree char *cookie = g_strdup_printf (ID_COOKIE "=%s; " RF_COOKIE "=" REFRESH, id_token);
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) none = NULL;
  g_autoptr(MjaCredentials) from_cookie = NULL;
  g_autoptr(MjaCredentials) from_token = NULL;
  g_autoptr(MjaCredentials) bad = NULL;

  g_unsetenv ("MIDJOURNEY_COOKIE");
  g_unsetenv ("MIDJOURNEY_SESSION_TOKEN");
  g_unsetenv ("MIDJOURNEY_USER_ID");
  none = mja_credentials_from_environment (&error);
  g_assert_null (none);
  g_assert_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_setenv ("MIDJOURNEY_COOKIE", "", TRUE);
  none = mja_credentials_from_environment (&error);
  g_assert_null (none);
  g_assert_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_setenv ("MIDJOURNEY_SESSION_TOKEN", "legacy-token-9", TRUE);
  g_setenv ("MIDJOURNEY_USER_ID", "987654321", TRUE);
  from_token = mja_credentials_from_environment (&error);
  g_assert_no_error (error);
  g_assert_cmpint (mja_credentials_get_kind (from_token), ==, MJA_CREDENTIALS_LEGACY);
  g_assert_cmpstr (mja_credentials_get_session_token (from_token), ==, "legacy-token-9");
  g_assert_cmpstr (mja_credentials_get_user_id (from_token), ==, "987654321");

  /* The cookie wins over the token. */
  g_setenv ("MIDJOURNEY_COOKIE", cookie, TRUE);
  from_cookie = mja_credentials_from_environment (&error);
  g_assert_no_error (error);
  g_assert_cmpint (mja_credentials_get_kind (from_cookie), ==, MJA_CREDENTIALS_CURRENT);
  g_assert_cmpstr (mja_credentials_get_user_id (from_cookie), ==, USER_ID);
  g_assert_cmpstr (mja_credentials_get_refresh_token (from_cookie), ==, REFRESH);

  /* A token without an id it could belong to is refused, not guessed. */
  g_unsetenv ("MIDJOURNEY_COOKIE");
  g_unsetenv ("MIDJOURNEY_USER_ID");
  bad = mja_credentials_from_environment (&error);
  g_assert_null (bad);
  g_assert_error (error, MJA_CREDENTIALS_ERROR, MJA_CREDENTIALS_ERROR_INVALID);
  g_assert_null (strstr (error->message, "legacy-token-9"));
  g_unsetenv ("MIDJOURNEY_SESSION_TOKEN");
}

static MjaCredentials *
lookup (int code)
{
  g_autoptr(GError) error = NULL;
  MjaCredentials *found = mja_credentials_lookup (NULL, &error);

  if (code < 0)
    g_assert_no_error (error);
  else
    {
      g_assert_null (found);
      g_assert_error (error, MJA_CREDENTIALS_ERROR, code);
    }
  return found;
}

/* Signed in, the next start finds the session; one account at a time;
 * signed out, nothing is left. */
static void
test_keyring (void)
{
  g_autofree char *id_token = make_id_token (now_s () + 3600);
  g_autoptr(GError) error = NULL;
  g_autoptr(MjaCredentials) current = mja_credentials_new_current (id_token, REFRESH, &error);
  g_autoptr(MjaCredentials) legacy = mja_credentials_new_legacy ("legacy-token-5", "55555", &error);
  g_autoptr(MjaCredentials) found = NULL;

  g_assert_no_error (error);
  g_assert_true (mja_credentials_clear (NULL, &error));
  g_assert_no_error (error);
  g_assert_null (lookup (MJA_CREDENTIALS_ERROR_NOT_FOUND));

  g_assert_true (mja_credentials_store (current, NULL, &error));
  g_assert_no_error (error);
  found = lookup (-1);
  g_assert_cmpint (mja_credentials_get_kind (found), ==, MJA_CREDENTIALS_CURRENT);
  g_assert_cmpstr (mja_credentials_get_user_id (found), ==, USER_ID);
  g_assert_cmpstr (mja_credentials_get_id_token (found), ==, id_token);
  g_assert_cmpstr (mja_credentials_get_refresh_token (found), ==, REFRESH);
  g_clear_object (&found);

  /* A refreshed token replaces the stored one. */
  mja_credentials_update_tokens (current, id_token, "rotated-refresh");
  g_assert_true (mja_credentials_store (current, NULL, &error));
  g_assert_no_error (error);
  found = lookup (-1);
  g_assert_cmpstr (mja_credentials_get_refresh_token (found), ==, "rotated-refresh");
  g_clear_object (&found);

  /* Another sign-in replaces the account, of either era. */
  g_assert_true (mja_credentials_store (legacy, NULL, &error));
  g_assert_no_error (error);
  found = lookup (-1);
  g_assert_cmpint (mja_credentials_get_kind (found), ==, MJA_CREDENTIALS_LEGACY);
  g_assert_cmpstr (mja_credentials_get_user_id (found), ==, "55555");
  g_assert_cmpstr (mja_credentials_get_session_token (found), ==, "legacy-token-5");
  g_clear_object (&found);

  g_assert_true (mja_credentials_clear (NULL, &error));
  g_assert_no_error (error);
  g_assert_null (lookup (MJA_CREDENTIALS_ERROR_NOT_FOUND));
  /* Signing out twice is no error. */
  g_assert_true (mja_credentials_clear (NULL, &error));
  g_assert_no_error (error);
}

/* The tokens a refresh replaces are wiped before they are freed, as at
 * finalize: they no longer lingered in freed memory (and a core's). */
static void
test_update_wipes (void)
{
  gint64 now = now_s ();
  g_autofree char *first = make_id_token (now + 3600);
  g_autofree char *second = make_id_token (now + 7200);
  g_autoptr(GError) error = NULL;
  MjaCredentials *credentials = mja_credentials_new_current (first, REFRESH, &error);

  g_assert_no_error (error);
  watch (0, mja_credentials_get_id_token (credentials));
  watch (1, mja_credentials_get_refresh_token (credentials));
  mja_credentials_update_tokens (credentials, second, "rotated-refresh");
  assert_wiped (0);
  assert_wiped (1);
  g_assert_cmpstr (mja_credentials_get_id_token (credentials), ==, second);
  g_assert_cmpstr (mja_credentials_get_refresh_token (credentials), ==, "rotated-refresh");

  /* Given back what it holds, it keeps it. */
  mja_credentials_update_tokens (credentials, mja_credentials_get_id_token (credentials),
                                 mja_credentials_get_refresh_token (credentials));
  g_assert_cmpstr (mja_credentials_get_id_token (credentials), ==, second);
  g_assert_cmpstr (mja_credentials_get_refresh_token (credentials), ==, "rotated-refresh");

  watch (0, mja_credentials_get_id_token (credentials));
  watch (1, mja_credentials_get_refresh_token (credentials));
  g_object_unref (credentials);
  assert_wiped (0);
  assert_wiped (1);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  /* The keyring of our own, before libsecret picks its backend. */
  keyring_dir = g_dir_make_tmp ("mja-test-credentials-XXXXXX", &error);
  g_assert_no_error (error);
  helper_use_file_keyring (keyring_dir);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/credentials/parse/cookie-header", test_parse_cookie_header);
  g_test_add_func ("/credentials/parse/bare-tokens", test_parse_bare_tokens);
  g_test_add_func ("/credentials/parse/refused", test_parse_refused);
  g_test_add_func ("/credentials/expiry", test_expiry);
  g_test_add_func ("/credentials/update-wipes", test_update_wipes);
  g_test_add_func ("/credentials/environment", test_environment);
  g_test_add_func ("/credentials/keyring", test_keyring);
  status = g_test_run ();

  helper_remove_tree (keyring_dir);
  g_free (keyring_dir);
  return status;
}
