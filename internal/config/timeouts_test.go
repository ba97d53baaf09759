package config_test

import (
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/config"
)

func TestUploadRateAndFormBodySettings(t *testing.T) {
	c, err := config.Load(env{}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.UploadMinRate != 16<<10 || c.UploadMinRateWindow != time.Minute || c.FormBodyLimit != 1<<20 {
		t.Errorf("defaults: min rate %d window %v form body %d", c.UploadMinRate, c.UploadMinRateWindow, c.FormBodyLimit)
	}
	c, err = config.Load(env{"UPLOAD_MIN_RATE": "1KiB", "UPLOAD_MIN_RATE_WINDOW": "5s", "FORM_BODY_LIMIT": "64KiB"}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.UploadMinRate != 1<<10 || c.UploadMinRateWindow != 5*time.Second || c.FormBodyLimit != 64<<10 {
		t.Errorf("values not read: min rate %d window %v form body %d", c.UploadMinRate, c.UploadMinRateWindow, c.FormBodyLimit)
	}
	if c, err = config.Load(env{"UPLOAD_MIN_RATE": "0"}.get); err != nil || c.UploadMinRate != 0 {
		t.Errorf("UPLOAD_MIN_RATE=0 (off): %d, %v", c.UploadMinRate, err)
	}
	for _, tc := range []struct{ name, value string }{
		{"UPLOAD_MIN_RATE", "-1"},
		{"UPLOAD_MIN_RATE", "fast"},
		{"UPLOAD_MIN_RATE", "1GiB"},
		{"UPLOAD_MIN_RATE_WINDOW", "100ms"},
		{"UPLOAD_MIN_RATE_WINDOW", "2h"},
		{"FORM_BODY_LIMIT", "0"},
		{"FORM_BODY_LIMIT", "100"},
		{"FORM_BODY_LIMIT", "5MiB"},
		{"FORM_BODY_LIMIT", "big"},
	} {
		_, err := config.Load(env{tc.name: tc.value}.get)
		wantVarError(t, err, tc.name)
	}
}
