/* mja-fake-jobs.c — the account the fake Midjourney serves
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Owns the fake's jobs: generating them from the seed (kinds, prompts,
 * dates, the quirks a real account has, the hostile ones the knobs ask
 * for) and writing one as either API era lists it.  Called with the
 * server's mutex held, or taking it; it must never answer a request or
 * know about sockets: the API and the CDN ask it.
 */
#define G_LOG_DOMAIN "mja-fake-server"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "mja-config.h"
#include "mja-fake-server-private.h"
#include "mja-job.h"

static const char * const subjects[] = {
  "a lighthouse on a basalt cliff", "an owl reading by candlelight", "a koi pond in autumn",
  "a brutalist library at dawn", "a red fox in fresh snow", "a tram crossing a bridge in Lisbon",
  "a greenhouse full of ferns", "a jellyfish made of stained glass", "an old cartographer's desk",
  "a desert observatory under the milky way", "a paper boat on a rain puddle", "a bonsai on a windowsill",
};

static const char * const styles[] = {
  "watercolor", "isometric 3d render", "35mm film photograph", "ukiyo-e woodblock print",
  "oil painting, impasto", "cinematic lighting", "pencil sketch", "art nouveau poster",
};

static const char * const unicode_bits[] = {
  "猫と桜の庭 🌸", "café au lait, crème brûlée", "Москва зимой", "נמל יפו", "ο Παρθενώνας", "🐙🚲✨",
};

static const char * const params[] = {
  "--ar 16:9 --v 6.1", "--ar 2:3 --style raw --v 7", "--v 5.2 --q 2", "--ar 1:1 --stylize 250 --v 6",
  "--niji 6 --ar 3:4", "--v 7 --chaos 20 --ar 21:9",
};

/* Prompts hard to wrap and to write as Python does (the kinds of
 * tests/fixtures/textwrap/make.py): @head, @piece @times times, @tail. */
static const struct
{
  const char *head;
  const char *piece;
  guint       times;
  const char *tail;
} hard_prompts[] = {
  { "", "col\tumn\t\tand\ttabs\t", 6, "end" },
  { "before ", "x", 120, " after and then some more words to fill the line up" },
  { "a  b   c    d", " ", 90, "e     f e     f e     f e     f e     f e     f e     f e     f " },
  { "line one\r\nline two\rline three\nline four\r\n\r\nafter a blank line\vvt\fff", "", 0, "" },
  { "      starts with spaces and goes on long enough to wrap onto a second line of text", "", 0, "" },
  { "ends with spaces", " ", 100, "" },
  { "a photo from https://example.com/", "very-long-path/", 8,
    "image.png?x=1&y=2 in the style of https://example.com/very-long-path/very-long-path/image.png" },
  { "", "well-known hyper-realistic state-of-the-art ", 6, "--no-blur" },
  { "", "夜の東京の街並み、ネオンの光、雨に濡れた路面、映画のような構図、超高精細", 4, "" },
  { "", "caf\u00e9\u00a0au\u00a0lait ", 10, "\u00a0 \u00a0\u00a0 x" },
  { "", "東京\u3000夜景\u3000ネオン ", 12, "\u3000" },
  { "", "✨ sparkles ✨ 🦉 owl 👩\u200d👩\u200d👧 family 🇩🇪 flag ", 5, "" },
  { "", "a\u2003b\u2009c\u202fd\u205fe\u1680f\xc2\x85g\u2028h\u2029i\x1cj ", 8, "" },
  { "Übergröße \"zitiert\" \\ back/slash \x7f\xc2\x80 \U0001f989", "", 0, "" },
  { "", "w", 5000, "" },
  { "     ", "", 0, "" },
};

static char *
make_hard_prompt (guint n)
{
  GString *prompt = g_string_new (hard_prompts[n].head);

  for (guint i = 0; i < hard_prompts[n].times; i++)
    g_string_append (prompt, hard_prompts[n].piece);
  g_string_append (prompt, hard_prompts[n].tail);
  return g_string_free (prompt, FALSE);
}

void
mja_fake_job_free (gpointer data)
{
  FakeJob *job = data;

  g_free (job->prompt);
  g_free (job->full_command);
  g_free (job->parent_id);
  g_free (job);
}

char *
mja_fake_random_uuid (GRand *rand)
{
  return g_strdup_printf ("%08x-%04x-4%03x-%04x-%04x%08x",
                          g_rand_int (rand),
                          g_rand_int_range (rand, 0, 0x10000),
                          g_rand_int_range (rand, 0, 0x1000),
                          g_rand_int_range (rand, 0x8000, 0xc000),
                          g_rand_int_range (rand, 0, 0x10000),
                          g_rand_int (rand));
}

static char *
make_prompt (GRand *rand,
             guint  serial)
{
  GString *prompt = g_string_new (NULL);

  g_string_append_printf (prompt, "%s, %s",
                          subjects[g_rand_int_range (rand, 0, G_N_ELEMENTS (subjects))],
                          styles[g_rand_int_range (rand, 0, G_N_ELEMENTS (styles))]);
  if (serial % 5 == 2)
    g_string_append_printf (prompt, ", %s", unicode_bits[g_rand_int_range (rand, 0, G_N_ELEMENTS (unicode_bits))]);
  /* Some people write essays: one job in 97 has a 5,000-character prompt. */
  if (serial % 97 == 50)
    {
      while (g_utf8_strlen (prompt->str, -1) < 5000)
        g_string_append_printf (prompt, ", %s in the style of %s",
                                subjects[g_rand_int_range (rand, 0, G_N_ELEMENTS (subjects))],
                                styles[g_rand_int_range (rand, 0, G_N_ELEMENTS (styles))]);
      g_string_truncate (prompt, g_utf8_offset_to_pointer (prompt->str, 5000) - prompt->str);
    }
  return g_string_free (prompt, FALSE);
}

/* Called with the mutex held. */
void
mja_fake_server_generate_jobs (MjaFakeServer *self,
                               guint          n_jobs)
{
  g_assert (MJA_IS_FAKE_SERVER (self));

  for (guint n = 0; n < n_jobs; n++)
    {
      FakeJob *job = g_new0 (FakeJob, 1);
      guint serial = self->jobs->len;
      g_autofree char *id = mja_fake_random_uuid (self->rand);
      int roll = g_rand_int_range (self->rand, 0, 100);
      g_autofree char *prompt = NULL;
      const char *param;

      g_strlcpy (job->id, id, sizeof job->id);
      job->time_us = self->next_time_us + g_rand_int_range (self->rand, 0, 1000000);
      self->next_time_us += (gint64) g_rand_int_range (self->rand, 60, (gint32) self->max_gap_s) * G_USEC_PER_SEC;

      if (roll < 55)
        {
          job->kind = MJA_JOB_KIND_GRID;
          job->job_type = serial % 2 ? "v7_raw_diffusion" : "v6_diffusion";
          job->event_type = "diffusion";
          job->batch = 4;
        }
      else if (roll < 65)
        {
          job->kind = MJA_JOB_KIND_GRID;
          job->job_type = "v6_variation";
          job->event_type = "variation";
          job->batch = 4;
        }
      else if (roll < 90)
        {
          job->kind = MJA_JOB_KIND_UPSCALE;
          job->job_type = "v6_upscale";
          job->event_type = "upscale";
          job->batch = 1;
        }
      else
        {
          job->kind = MJA_JOB_KIND_VIDEO;
          job->job_type = "v7_video";
          job->event_type = "video_diffusion";
          job->batch = 2;
        }

      /* Variations and upscales come from an earlier grid. */
      if (job->event_type[0] != 'd' && serial > 0)
        {
          for (guint back = 1; back <= 8 && back <= serial; back++)
            {
              FakeJob *candidate = g_ptr_array_index (self->jobs, serial - back);
              if (candidate->kind == MJA_JOB_KIND_GRID)
                {
                  job->parent_id = g_strdup (candidate->id);
                  break;
                }
            }
        }

      prompt = make_prompt (self->rand, serial);
      param = params[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (params))];
      /* In turn, without drawing from the seed: the rest of the account
       * stays as it is without the knob. */
      if (self->options.hard_prompts_every > 0 && serial % self->options.hard_prompts_every == 0)
        {
          g_free (prompt);
          prompt = make_hard_prompt (serial / self->options.hard_prompts_every % G_N_ELEMENTS (hard_prompts));
        }
      job->full_command = g_strdup_printf ("%s %s", prompt, param);
      job->prompt = g_steal_pointer (&prompt);
      job->width = job->kind == MJA_JOB_KIND_UPSCALE ? 2048 : 1024;
      job->height = serial % 3 == 0 ? job->width * 9 / 16 : job->width;
      job->rating = serial % 6 == 0 ? (guint) g_rand_int_range (self->rand, 1, 6) : 0;
      job->liked = serial % 9 == 4;
      job->null_paths = serial % 11 == 7;
      job->no_micro = serial % 7 == 3;
      job->no_parsed_params = serial < 10;
      job->hostile = self->options.hostile_every > 0 && serial % self->options.hostile_every == 1;
      job->nul_id = self->options.nul_id_every > 0 && serial % self->options.nul_id_every == 2;
      if (self->options.escape_every > 0 && serial % self->options.escape_every == 1)
        {
          /* A terminal that printed it raw would retitle its window,
           * write the clipboard (OSC 52) and clear the screen. */
          g_autofree char *plain = g_steal_pointer (&job->prompt);
          g_autofree char *command = g_steal_pointer (&job->full_command);

          job->prompt = g_strconcat ("\033]0;owned\007\033]52;c;b3duZWQ=\007", plain, " \302\2332J\177", NULL);
          job->full_command = g_strconcat ("\033]0;owned\007\033]52;c;b3duZWQ=\007", command, NULL);
          job->job_type = "v6_\033[2Jdiffusion";
        }

      g_ptr_array_add (self->jobs, job);
      g_hash_table_insert (self->job_index, job->id, GUINT_TO_POINTER (self->jobs->len));
    }
}

/* Called with the mutex held. */
const FakeJob *
mja_fake_server_lookup_job (MjaFakeServer *self,
                            const char    *job_id)
{
  guint position = GPOINTER_TO_UINT (g_hash_table_lookup (self->job_index, job_id));

  g_assert (MJA_IS_FAKE_SERVER (self));

  if (position == 0)
    return NULL;
  g_assert (position <= self->jobs->len);
  return g_ptr_array_index (self->jobs, position - 1);
}

/* ---- the jobs as each era lists them -------------------------------- */

static char *
format_time (const FakeJob *job,
             gboolean       legacy)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (job->time_us / G_USEC_PER_SEC);
  g_autofree char *base = g_date_time_format (dt, legacy ? "%Y-%m-%d %H:%M:%S" : "%Y-%m-%dT%H:%M:%S");
  int micro = (int) (job->time_us % G_USEC_PER_SEC);

  if (legacy)
    return job->no_micro ? g_steal_pointer (&base) : g_strdup_printf ("%s.%06d", base, micro);
  return g_strdup_printf ("%s.%06d+00:00", base, micro);
}

/* An id with an escaped NUL after its first 8 characters: cut there it is
 * still a valid id, another job's.  The generator writes the control
 * character \x01 as "\u0001", which mja_fake_respond_node turns into
 * "\u0000" (json-glib cannot hold a NUL in a string). */
static void
add_id (MjaFakeServer *self,
        JsonBuilder   *b,
        const FakeJob *job,
        const char    *id)
{
  g_autofree char *with_nul = NULL;

  if (!job->nul_id)
    {
      json_builder_add_string_value (b, id);
      return;
    }
  with_nul = g_strdup_printf ("%.8s\x01%s", id, id + MIN (strlen (id), 8));
  json_builder_add_string_value (b, with_nul);
}

void
mja_fake_server_add_current_job (MjaFakeServer *self,
                                 JsonBuilder   *b,
                                 const FakeJob *job)
{
  g_autofree char *time = format_time (job, FALSE);

  g_assert (MJA_IS_FAKE_SERVER (self));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  /* A hostile server tries to make the client write outside its archive. */
  add_id (self, b, job, job->hostile ? "../../escaped" : job->id);
  json_builder_set_member_name (b, "enqueue_time");
  json_builder_add_string_value (b, time);
  json_builder_set_member_name (b, "job_type");
  json_builder_add_string_value (b, job->job_type);
  json_builder_set_member_name (b, "event_type");
  json_builder_add_string_value (b, job->event_type);
  json_builder_set_member_name (b, "full_command");
  json_builder_add_string_value (b, job->full_command);
  json_builder_set_member_name (b, "batch_size");
  json_builder_add_int_value (b, job->batch);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, job->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, job->height);
  json_builder_set_member_name (b, "parent_id");
  if (job->parent_id)
    json_builder_add_string_value (b, job->parent_id);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "parent_grid");
  if (job->parent_id)
    json_builder_add_int_value (b, job->time_us % 4);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "rating");
  if (job->rating)
    json_builder_add_int_value (b, job->rating);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "published");
  json_builder_add_boolean_value (b, job->time_us % 3 == 0);
  json_builder_set_member_name (b, "shown");
  json_builder_add_boolean_value (b, TRUE);
  json_builder_set_member_name (b, "user_hidden");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "personalization_codes");
  json_builder_begin_array (b);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "liked_by_user");
  json_builder_add_boolean_value (b, job->liked);
  json_builder_end_object (b);
}

void
mja_fake_server_add_legacy_job (MjaFakeServer *self,
                                JsonBuilder   *b,
                                const FakeJob *job)
{
  g_autofree char *time = format_time (job, TRUE);
  gboolean upscale = job->kind == MJA_JOB_KIND_UPSCALE;

  g_assert (MJA_IS_FAKE_SERVER (self));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  add_id (self, b, job, job->id);
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, upscale ? "upscale" : "grid");
  json_builder_set_member_name (b, "enqueue_time");
  json_builder_add_string_value (b, time);
  json_builder_set_member_name (b, "prompt");
  json_builder_add_string_value (b, job->prompt);
  json_builder_set_member_name (b, "full_command");
  json_builder_add_string_value (b, job->full_command);
  json_builder_set_member_name (b, "image_paths");
  if (job->null_paths)
    json_builder_add_null_value (b);
  else
    {
      guint n_paths = self->options.legacy_image_paths > 0 ? self->options.legacy_image_paths : job->batch;

      json_builder_begin_array (b);
      for (guint i = 0; i < n_paths; i++)
        {
          g_autofree char *url = job->hostile && i == 0 ? g_strdup ("file:///etc/passwd.png")
                                                        : g_strdup_printf ("%s/%s/0_%u.png",
                                                                           /* not started: Midjourney's own */
                                                                           self->cdn_url ? self->cdn_url
                                                                           : mja_config_get_default_string (MJA_CONFIG_KEY_CDN_BASE_URL),
                                                                           job->id, i);
          json_builder_add_string_value (b, url);
        }
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "parent_id");
  if (job->parent_id)
    json_builder_add_string_value (b, job->parent_id);
  else
    json_builder_add_null_value (b);
  if (!job->no_parsed_params)
    {
      json_builder_set_member_name (b, "_parsed_params");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "version");
      json_builder_add_string_value (b, "5.2");
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "event");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, job->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, job->height);
  json_builder_set_member_name (b, "batchSize");
  json_builder_add_int_value (b, job->batch);
  json_builder_set_member_name (b, "eventType");
  json_builder_add_string_value (b, upscale ? "upscale" : "imagine");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "ranking_by_user");
  /* The legacy site only ever stored 1, 2, 4 or 5. */
  if (job->rating)
    json_builder_add_int_value (b, job->rating == 3 ? 4 : job->rating);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "liked_by_user");
  json_builder_add_boolean_value (b, job->liked);
  json_builder_set_member_name (b, "username");
  json_builder_add_string_value (b, "fake_artist");
  json_builder_set_member_name (b, "user_id");
  json_builder_add_string_value (b, self->user_id);
  json_builder_set_member_name (b, "platform");
  json_builder_add_string_value (b, "discord");
  json_builder_set_member_name (b, "platform_channel_id");
  json_builder_add_string_value (b, "989268300473192561");
  json_builder_end_object (b);
}

/* ---- what tests and benchmarks ask ---------------------------------- */

guint
mja_fake_server_get_n_jobs (MjaFakeServer *self)
{
  guint n;

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  g_mutex_lock (&self->mutex);
  n = self->jobs->len;
  g_mutex_unlock (&self->mutex);
  return n;
}

void
mja_fake_server_add_jobs (MjaFakeServer *self,
                          guint          n_jobs)
{
  g_return_if_fail (MJA_IS_FAKE_SERVER (self));
  g_mutex_lock (&self->mutex);
  mja_fake_server_generate_jobs (self, n_jobs);
  g_mutex_unlock (&self->mutex);
}

/**
 * mja_fake_server_rate_job:
 * @rating: 1..5, or 0 for unrated
 *
 * The person rates or likes an older job on the site: its answers carry
 * the new values, and /api/imagine-update lists it again after any
 * checkpoint given out before the change.
 */
void
mja_fake_server_rate_job (MjaFakeServer *self,
                          const char    *job_id,
                          guint          rating,
                          gboolean       liked)
{
  guint position;

  g_return_if_fail (MJA_IS_FAKE_SERVER (self));
  g_return_if_fail (rating <= 5);
  g_mutex_lock (&self->mutex);
  position = GPOINTER_TO_UINT (g_hash_table_lookup (self->job_index, job_id));
  if (position > 0)
    {
      FakeJob *job = g_ptr_array_index (self->jobs, position - 1);

      job->rating = rating;
      job->liked = liked;
      job->changed = ++self->change_clock;
    }
  g_mutex_unlock (&self->mutex);
  g_return_if_fail (position > 0);
}

GStrv
mja_fake_server_dup_job_ids (MjaFakeServer *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->jobs->len; i++)
    g_strv_builder_add (builder, ((FakeJob *) g_ptr_array_index (self->jobs, i))->id);
  g_mutex_unlock (&self->mutex);
  return g_strv_builder_end (builder);
}

/**
 * mja_fake_server_dup_job_node:
 * @position: 0 for the oldest job, up to mja_fake_server_get_n_jobs() − 1
 * @legacy: the legacy era's shape of the job instead of the current one's
 *
 * One job of the account as the API would list it; the archive generator
 * of the benchmarks writes these to disk without a sync.
 *
 * Returns: (transfer full) (nullable): the job's JSON object
 */
JsonNode *
mja_fake_server_dup_job_node (MjaFakeServer *self,
                              guint          position,
                              gboolean       legacy)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), NULL);
  g_mutex_lock (&self->mutex);
  if (position >= self->jobs->len)
    {
      g_mutex_unlock (&self->mutex);
      return NULL;
    }
  if (legacy)
    mja_fake_server_add_legacy_job (self, builder, g_ptr_array_index (self->jobs, position));
  else
    mja_fake_server_add_current_job (self, builder, g_ptr_array_index (self->jobs, position));
  g_mutex_unlock (&self->mutex);
  return json_builder_get_root (builder);
}

/**
 * mja_fake_server_get_n_images:
 * @kinds: comma-separated kinds ("grid,upscale,video") as the current era
 *   reports them, or %NULL for all
 *
 * How many image files a complete current-era download of those kinds
 * holds.
 */
guint
mja_fake_server_get_n_images (MjaFakeServer *self,
                              const char    *kinds)
{
  g_auto(GStrv) wanted = kinds ? g_strsplit (kinds, ",", -1) : NULL;
  guint n = 0;

  g_return_val_if_fail (MJA_IS_FAKE_SERVER (self), 0);
  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->jobs->len; i++)
    {
      FakeJob *job = g_ptr_array_index (self->jobs, i);

      if (job->hostile)
        continue;
      if (wanted == NULL || g_strv_contains ((const char * const *) wanted, mja_job_kind_to_string (job->kind)))
        n += job->batch;
    }
  g_mutex_unlock (&self->mutex);
  return n;
}
