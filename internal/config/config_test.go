package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/config"
)

// env is a fake environment for Load.
type env map[string]string

func (e env) get(name string) string { return e[name] }

// external is a complete, valid external-mode environment that cases
// change one variable of.
func external() env {
	return env{
		"MONGODB_URI":   "mongodb://db.example:27017",
		"S3_ENDPOINT":   "s3.example:9000",
		"S3_ACCESS_KEY": "portal",
		"S3_SECRET_KEY": "a-long-secret-key",
	}
}

func with(base env, kv ...string) env {
	out := env{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// wantVarError checks that err is a *config.Error naming variable.
func wantVarError(t *testing.T, err error, variable string) {
	t.Helper()
	if err == nil {
		t.Fatalf("Load: no error, want one naming %s", variable)
	}
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("Load error %v (%T) is not a *config.Error", err, err)
	}
	if ce.Var != variable {
		t.Errorf("Load error names %q, want %q (error: %v)", ce.Var, variable, err)
	}
	if !strings.Contains(err.Error(), variable) {
		t.Errorf("error message %q does not name %s", err.Error(), variable)
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := config.Load(env{}.get)
	if err != nil {
		t.Fatalf("Load with an empty environment: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Port", c.Port, 8080},
		{"DataDir", c.DataDir, "storage"},
		{"MongoURI", c.MongoURI, ""},
		{"MongoDatabase", c.MongoDatabase, "portal"},
		{"S3Endpoint", c.S3Endpoint, ""},
		{"S3Bucket", c.S3Bucket, "webinars"},
		{"S3UseSSL", c.S3UseSSL, false},
		{"S3Region", c.S3Region, "us-east-1"},
		{"MaxRecordingBytes", c.MaxRecordingBytes, int64(4 << 30)},
		{"MaxSlidesBytes", c.MaxSlidesBytes, int64(200 << 20)},
		{"MaxSubtitleBytes", c.MaxSubtitleBytes, int64(5 << 20)},
		{"SessionTTL", c.SessionTTL, 7 * 24 * time.Hour},
		{"SessionIdle", c.SessionIdle, 2 * time.Hour},
		{"WishesPerHour", c.WishesPerHour, 5},
		{"LogLevel", c.LogLevel, "info"},
		{"CookieSecure", c.CookieSecure, false},
		{"DevTemplates", c.DevTemplates, false},
		{"Embedded()", c.Embedded(), true},
		{"SearchIndexPath()", c.SearchIndexPath(), filepath.Join("storage", "search")},
	}
	for _, ch := range checks {
		t.Run(ch.name, func(t *testing.T) {
			if ch.got != ch.want {
				t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
			}
		})
	}
	if len(c.TrustedProxies) != 0 {
		t.Errorf("TrustedProxies = %q, want none", c.TrustedProxies)
	}
}

func TestLoadValues(t *testing.T) {
	c, err := config.Load(with(external(),
		"PORT", " 9090 ",
		"S3_USE_SSL", "true",
		"S3_BUCKET", "smakom.archive-1",
		"TRUSTED_PROXIES", " 10.0.0.1 , ,10.0.0.2",
		"MAX_SLIDES_BYTES", "50MiB",
		"MAX_SUBTITLE_BYTES", "512KiB",
		"SESSION_TTL", "30m",
		"LOG_LEVEL", "debug",
		"SEARCH_INDEX_DIR", "/var/lib/portal/sök",
	).get)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Embedded() {
		t.Error("Embedded() = true with MONGODB_URI and S3_ENDPOINT set")
	}
	if c.Port != 9090 || !c.S3UseSSL || c.S3Bucket != "smakom.archive-1" || c.MaxSlidesBytes != 50<<20 || c.MaxSubtitleBytes != 512<<10 ||
		c.SessionTTL != 30*time.Minute || c.LogLevel != "debug" {
		t.Errorf("Load = %+v", c)
	}
	if c.SearchIndexPath() != "/var/lib/portal/sök" {
		t.Errorf("SearchIndexPath() = %q", c.SearchIndexPath())
	}
	if got := strings.Join(c.TrustedProxies, ","); got != "10.0.0.1,10.0.0.2" {
		t.Errorf("TrustedProxies = %q, want 10.0.0.1,10.0.0.2", got)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		env     env
		wantVar string
	}{
		{"MONGODB_URI without scheme", with(external(), "MONGODB_URI", "db:27017"), "MONGODB_URI"},
		{"S3_ENDPOINT with http scheme", with(external(), "S3_ENDPOINT", "http://s3.example:9000"), "S3_ENDPOINT"},
		{"S3_ENDPOINT with https scheme", with(external(), "S3_ENDPOINT", "https://s3.example"), "S3_ENDPOINT"},
		{"S3_ENDPOINT with path", with(external(), "S3_ENDPOINT", "s3.example:9000/bucket"), "S3_ENDPOINT"},
		{"missing S3_ACCESS_KEY", with(external(), "S3_ACCESS_KEY", ""), "S3_ACCESS_KEY"},
		{"missing S3_SECRET_KEY", with(external(), "S3_SECRET_KEY", ""), "S3_SECRET_KEY"},
		{"blank S3_SECRET_KEY", with(external(), "S3_SECRET_KEY", "   "), "S3_SECRET_KEY"},
		{"PORT not a number", env{"PORT": "abc"}, "PORT"},
		{"PORT zero", env{"PORT": "0"}, "PORT"},
		{"PORT too high", env{"PORT": "70000"}, "PORT"},
		{"PORT negative", env{"PORT": "-1"}, "PORT"},
		{"WISHES_PER_HOUR zero", env{"WISHES_PER_HOUR": "0"}, "WISHES_PER_HOUR"},
		{"bad S3_USE_SSL", env{"S3_USE_SSL": "yes-please"}, "S3_USE_SSL"},
		{"bad COOKIE_SECURE", env{"COOKIE_SECURE": "ja"}, "COOKIE_SECURE"},
		{"bad SESSION_TTL", env{"SESSION_TTL": "two weeks"}, "SESSION_TTL"},
		{"negative SESSION_TTL", env{"SESSION_TTL": "-1h"}, "SESSION_TTL"},
		{"MAX_RECORDING_BYTES not a size", env{"MAX_RECORDING_BYTES": "x"}, "MAX_RECORDING_BYTES"},
		{"MAX_RECORDING_BYTES negative", env{"MAX_RECORDING_BYTES": "-1"}, "MAX_RECORDING_BYTES"},
		{"MAX_RECORDING_BYTES zero", env{"MAX_RECORDING_BYTES": "0"}, "MAX_RECORDING_BYTES"},
		{"MAX_SLIDES_BYTES unknown unit", env{"MAX_SLIDES_BYTES": "5TB"}, "MAX_SLIDES_BYTES"},
		{"MAX_SUBTITLE_BYTES above 10MiB", env{"MAX_SUBTITLE_BYTES": "50MiB"}, "MAX_SUBTITLE_BYTES"},
		{"MAX_SUBTITLE_BYTES zero", env{"MAX_SUBTITLE_BYTES": "0"}, "MAX_SUBTITLE_BYTES"},
		{"bad LOG_LEVEL", env{"LOG_LEVEL": "verbose"}, "LOG_LEVEL"},
		{"LOG_LEVEL in upper case", env{"LOG_LEVEL": "INFO"}, "LOG_LEVEL"},
		{"bucket with upper case", env{"S3_BUCKET": "Webinars"}, "S3_BUCKET"},
		{"bucket too short", env{"S3_BUCKET": "ab"}, "S3_BUCKET"},
		{"bucket too long", env{"S3_BUCKET": strings.Repeat("a", 64)}, "S3_BUCKET"},
		{"bucket with underscore", env{"S3_BUCKET": "my_bucket"}, "S3_BUCKET"},
		{"bucket with space", env{"S3_BUCKET": "my bucket"}, "S3_BUCKET"},
		{"both MONGODB_URI and MONGODB_URI_FILE", with(external(), "MONGODB_URI_FILE", "/run/secrets/uri"), "MONGODB_URI"},
		{"both S3_SECRET_KEY and S3_SECRET_KEY_FILE", with(external(), "S3_SECRET_KEY_FILE", "/run/secrets/s3"), "S3_SECRET_KEY"},
		{"unreadable S3_ACCESS_KEY_FILE", with(external(), "S3_ACCESS_KEY", "", "S3_ACCESS_KEY_FILE", filepath.Join(t.TempDir(), "missing")), "S3_ACCESS_KEY_FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(tt.env.get)
			wantVarError(t, err, tt.wantVar)
		})
	}
}

func TestLoadBucketNames(t *testing.T) {
	for _, name := range []string{"abc", "webinars", "smakom-media.2024", strings.Repeat("a", 63)} {
		t.Run(name, func(t *testing.T) {
			c, err := config.Load(env{"S3_BUCKET": name}.get)
			if err != nil {
				t.Fatalf("Load with S3_BUCKET=%q: %v", name, err)
			}
			if c.S3Bucket != name {
				t.Errorf("S3Bucket = %q, want %q", c.S3Bucket, name)
			}
		})
	}
}

func TestLoadSecretFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	e := env{
		"MONGODB_URI_FILE":   write("uri", "  mongodb://db.example:27017/?replicaSet=rs0\n"),
		"S3_ENDPOINT":        "s3.example:9000",
		"S3_ACCESS_KEY_FILE": write("access", "portal-access\r\n"),
		"S3_SECRET_KEY_FILE": write("secret", "\tsecret with inner space \n\n"),
	}
	c, err := config.Load(e.get)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct{ name, got, want string }{
		{"MONGODB_URI_FILE", c.MongoURI, "mongodb://db.example:27017/?replicaSet=rs0"},
		{"S3_ACCESS_KEY_FILE", c.S3AccessKey, "portal-access"},
		{"S3_SECRET_KEY_FILE", c.S3SecretKey, "secret with inner space"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("value read from %s = %q, want %q", tt.name, tt.got, tt.want)
			}
		})
	}

	t.Run("directory instead of file", func(t *testing.T) {
		_, err := config.Load(with(e, "S3_SECRET_KEY_FILE", dir).get)
		wantVarError(t, err, "S3_SECRET_KEY_FILE")
	})
	t.Run("empty file counts as unset", func(t *testing.T) {
		_, err := config.Load(with(e, "S3_SECRET_KEY_FILE", write("empty", "\n")).get)
		wantVarError(t, err, "S3_SECRET_KEY")
	})
}

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{in: "4GiB", want: 4 << 30},
		{in: "500MB", want: 500 << 20},
		{in: "500MiB", want: 500 << 20},
		{in: "100M", want: 100 << 20},
		{in: "64KiB", want: 64 << 10},
		{in: "2 G", want: 2 << 30},
		{in: "1048576", want: 1048576},
		{in: "1048576B", want: 1048576},
		{in: " 7 ", want: 7},
		{in: "x", wantErr: true},
		{in: "", wantErr: true},
		{in: "GiB", wantErr: true},
		{in: "1.5GiB", wantErr: true},
		{in: "4TiB", wantErr: true},
		{in: "99999999999999GiB", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := config.ParseBytes(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseBytes(%q) = %d, want an error", tt.in, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseBytes(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseBytes(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

// ParseBytes itself accepts a sign; the configuration refuses sizes that
// are not positive.
func TestParseBytesNegative(t *testing.T) {
	if n, err := config.ParseBytes("-1"); err == nil && n > 0 {
		t.Errorf("ParseBytes(-1) = %d, a positive size", n)
	}
	_, err := config.Load(env{"MAX_SLIDES_BYTES": "-1"}.get)
	wantVarError(t, err, "MAX_SLIDES_BYTES")
}

// TestMixedMode: a server not configured externally runs embedded.
func TestMixedMode(t *testing.T) {
	c, err := config.Load(env{"S3_ENDPOINT": "s3:9000", "S3_ACCESS_KEY": "a", "S3_SECRET_KEY": "b"}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.Embedded() || !c.EmbeddedMongo() || c.EmbeddedS3() {
		t.Errorf("external S3 only: Embedded %v, EmbeddedMongo %v, EmbeddedS3 %v", c.Embedded(), c.EmbeddedMongo(), c.EmbeddedS3())
	}
	c, err = config.Load(env{"MONGODB_URI": "mongodb://db:27017"}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.EmbeddedMongo() || !c.EmbeddedS3() {
		t.Errorf("external MongoDB only: EmbeddedMongo %v, EmbeddedS3 %v", c.EmbeddedMongo(), c.EmbeddedS3())
	}
}

func TestMailAndSessionSettings(t *testing.T) {
	dir := t.TempDir()
	pw := dir + "/smtp-password"
	if err := os.WriteFile(pw, []byte("hemligt\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(env{"SMTP_HOST": "smtp.example.se", "SMTP_PORT": "2525", "SMTP_USER": "portal", "SMTP_PASSWORD_FILE": pw,
		"SMTP_FROM": "SmåKom <arkiv@smakom.se>", "PUBLIC_URL": "https://arkiv.smakom.se/", "SESSION_IDLE": "30m"}.get)
	if err != nil {
		t.Fatal(err)
	}
	if c.SMTPHost != "smtp.example.se" || c.SMTPPort != 2525 || c.SMTPUser != "portal" || c.SMTPPassword != "hemligt" ||
		c.PublicURL != "https://arkiv.smakom.se" || c.SessionIdle != 30*time.Minute || c.SessionTTL != 7*24*time.Hour ||
		c.InviteTTL != 7*24*time.Hour || c.ResetTTL != 24*time.Hour {
		t.Errorf("got %+v", c)
	}
	d, err := config.Load(env{}.get)
	if err != nil || d.SMTPHost != "" || d.SessionIdle != 2*time.Hour {
		t.Errorf("defaults: %v %+v", err, d)
	}
	for _, tc := range []struct {
		env  env
		want string
	}{
		{env{"SMTP_HOST": "smtp.example.se", "PUBLIC_URL": "https://a.se"}, "SMTP_FROM"},
		{env{"SMTP_HOST": "smtp.example.se", "SMTP_FROM": "a@b.se"}, "PUBLIC_URL"},
		{env{"SMTP_HOST": "smtp.example.se:25", "SMTP_FROM": "a@b.se", "PUBLIC_URL": "https://a.se"}, "SMTP_HOST"},
		{env{"SMTP_FROM": "a@b.se"}, "SMTP_HOST"},
		{env{"PUBLIC_URL": "arkiv.smakom.se"}, "PUBLIC_URL"},
		{env{"SESSION_IDLE": "200h"}, "SESSION_IDLE"},
		{env{"SMTP_PORT": "0"}, "SMTP_PORT"},
	} {
		_, err := config.Load(tc.env.get)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Var != tc.want {
			t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.want)
		}
	}
}
