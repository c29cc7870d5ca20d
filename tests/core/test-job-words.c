/* test-job-words.c — a job in words: kinds, models, aspect ratios, parameters
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>

#include "mja-job-words.h"

/* Every job type and event type of the protocol page, both eras. */
static void
test_categories (void)
{
  static const struct
  {
    const char    *job_type;
    const char    *event_type;
    MjaJobCategory expected;
  } cases[] = {
    { "v6_diffusion", "diffusion", MJA_JOB_CATEGORY_IMAGE },
    { "v7_diffusion", "diffusion", MJA_JOB_CATEGORY_IMAGE },
    { "v7_raw_diffusion", "diffusion", MJA_JOB_CATEGORY_IMAGE },
    { "v8-1_hd_diffusion", "diffusion", MJA_JOB_CATEGORY_IMAGE },
    { "v7_draft_raw_diffusion", "draft", MJA_JOB_CATEGORY_DRAFT },
    { "v6_variation", "variation", MJA_JOB_CATEGORY_VARIATION },
    { "v6_upscale", "upscale", MJA_JOB_CATEGORY_UPSCALE },
    { "v7_video", "video_diffusion", MJA_JOB_CATEGORY_VIDEO },
    { "vid_1.1_i2v_start_end_a_video", "video_start_end", MJA_JOB_CATEGORY_VIDEO },
    /* legacy: type + eventType */
    { "grid", "imagine", MJA_JOB_CATEGORY_IMAGE },
    { "grid", "variation", MJA_JOB_CATEGORY_VARIATION },
    { "grid", "outpaint", MJA_JOB_CATEGORY_EDIT },
    { "grid", "pan", MJA_JOB_CATEGORY_EDIT },
    { "upscale", "upscale", MJA_JOB_CATEGORY_UPSCALE },
    { "upscale", NULL, MJA_JOB_CATEGORY_UPSCALE },
    { "grid", NULL, MJA_JOB_CATEGORY_IMAGE },
    { "something_new", NULL, MJA_JOB_CATEGORY_OTHER },
    { NULL, NULL, MJA_JOB_CATEGORY_OTHER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      MjaJobCategory category = mja_job_category_from_types (cases[i].job_type, cases[i].event_type);
      MjaJobCategory back;

      g_test_message ("%s / %s", cases[i].job_type, cases[i].event_type);
      g_assert_cmpint (category, ==, cases[i].expected);
      g_assert_true (mja_job_category_from_string (mja_job_category_to_string (category), &back));
      g_assert_cmpint (back, ==, category);
    }
  g_assert_cmpstr (mja_job_category_get_label (MJA_JOB_CATEGORY_UPSCALE), ==, "Upscale");
  g_assert_cmpstr (mja_job_category_get_label (MJA_JOB_CATEGORY_VIDEO), ==, "Video");
}

static void
test_models (void)
{
  static const struct
  {
    const char *command;
    const char *job_type;
    const char *expected;
  } cases[] = {
    { "a cat --ar 16:9 --v 6.1", "v6_diffusion", "V6.1" },
    { "a cat --v 7", NULL, "V7" },
    { "a cat --version 5.2 --q 2", NULL, "V5.2" },
    { "a cat --niji 6 --ar 3:4", "v6_diffusion", "Niji 6" },
    { "a cat --niji", NULL, "Niji" },
    { "a cat \xe2\x80\x94v 7", NULL, "V7" },
    { "a cat", "v7_raw_diffusion", "V7" },
    { "a cat", "v8-1_hd_diffusion", "V8.1" },
    { "a cat", "grid", NULL },
    { "well--v 7 is not a parameter", NULL, NULL },
    { NULL, NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *model = mja_command_dup_model (cases[i].command, cases[i].job_type);

      g_test_message ("%s", cases[i].command);
      g_assert_cmpstr (model, ==, cases[i].expected);
    }
}

static void
test_aspect_ratios (void)
{
  static const char *cases[][2] = {
    { "a cat --ar 16:9 --v 7", "16:9" },
    { "a cat --aspect 2:3", "2:3" },
    { "a cat --AR 21:9", "21:9" },
    { "a cat --v 7", "1:1" },
    { "a cat --ar wide", "1:1" },
    { "a cat --ar 0:9", "1:1" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ratio = mja_command_dup_aspect_ratio (cases[i][0]);

      g_assert_cmpstr (ratio, ==, cases[i][1]);
    }
}

static void
test_parameters (void)
{
  g_auto(GStrv) parameters = mja_command_dup_parameters ("a long-prompt -- with dashes --ar 16:9  --stylize 250 "
                                                         "--sref 123 456 \xe2\x80\x94tile");
  g_auto(GStrv) none = mja_command_dup_parameters ("just words");
  const char *expected[] = { "--ar 16:9", "--stylize 250", "--sref 123 456", "--tile", NULL };

  g_assert_cmpstrv (parameters, expected);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/job-words/categories", test_categories);
  g_test_add_func ("/job-words/models", test_models);
  g_test_add_func ("/job-words/aspect-ratios", test_aspect_ratios);
  g_test_add_func ("/job-words/parameters", test_parameters);
  return g_test_run ();
}
