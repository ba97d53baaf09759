// Package config reads the portal's settings from the environment, with
// documented defaults, and validates them at start. Every setting is listed
// in README.md and config/portal.example.env.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the portal's typed configuration.
type Config struct {
	Port    int
	DataDir string // embedded mode: data of FerretDB and versitygw
	// SearchIndexDir holds the full-text index (derived data, rebuilt
	// when missing); default DATA_DIR/search.
	SearchIndexDir string

	MongoURI      string // empty: embedded FerretDB
	MongoDatabase string

	S3Endpoint  string // empty: embedded versitygw
	S3AccessKey string
	S3SecretKey string
	S3Bucket    string
	S3UseSSL    bool
	S3Region    string

	// CookieSecure forces the Secure flag on cookies; otherwise it is set
	// when the request arrived over TLS (X-Forwarded-Proto from a trusted proxy).
	CookieSecure   bool
	TrustedProxies []string

	// MediaDelivery is "proxy" (the portal streams every byte) or
	// "redirect" (public media answered with a 302 to a presigned S3 URL).
	MediaDelivery     string
	PresignTTL        time.Duration
	S3PublicEndpoint  string // host:port browsers use to reach S3 (redirect mode)
	S3PublicUseSSL    bool
	MaxRecordingBytes int64
	MaxSlidesBytes    int64
	// MaxSubtitleBytes bounds a subtitle file, which is read whole and
	// parsed in memory; at most MaxSubtitleBytesCeiling.
	MaxSubtitleBytes int64
	SessionTTL       time.Duration
	// Slow clients: a request's header and small body must arrive within
	// HTTPReadTimeout, an upload within UploadTimeout, and no read or
	// write may stall longer than HTTPIdleTimeout.
	HTTPReadTimeout time.Duration
	HTTPIdleTimeout time.Duration
	UploadTimeout   time.Duration
	// SessionIdle ends a session unused for this long (sliding).
	SessionIdle time.Duration
	// InviteTTL and ResetTTL are the lifetimes of invite and
	// password-reset links.
	InviteTTL, ResetTTL time.Duration
	// PublicURL is the portal's address as people reach it, for links in
	// mails (never taken from a request's Host header).
	PublicURL string
	// SMTP: mail is off when SMTPHost is empty.
	SMTPHost      string
	SMTPPort      int
	SMTPUser      string
	SMTPPassword  string
	SMTPFrom      string
	WishesPerHour int
	LogLevel      string
	DevTemplates  bool // re-read templates from web/ on every request

	// MetricsAddr is where /metrics (Prometheus) listens, apart from the
	// public listener; empty turns it off.
	MetricsAddr string
	// ShutdownTimeout is how long running requests (media streams) may
	// go on after SIGTERM before the portal closes them.
	ShutdownTimeout time.Duration
	// MongoTimeout bounds each request's database calls (and its short
	// storage calls, such as a stat), and how long the driver looks for a
	// server before giving up, also in background jobs.
	MongoTimeout time.Duration
	// S3Timeout bounds how long the portal waits for the S3 server to
	// answer a call (the body of a stream may take longer).
	S3Timeout time.Duration
	// MaxConcurrentUploads is how many uploads (raw and resumable) run at
	// once; more get 503 with Retry-After.
	MaxConcurrentUploads int

	// SweepInterval is how often the running portal sweeps leftovers of
	// crashed uploads; SweepGrace is how old a leftover must be first
	// (the defaults are integrity.DefaultInterval and DefaultGrace).
	SweepInterval, SweepGrace time.Duration
	// UploadMinRate is the fewest bytes per second an upload must bring,
	// averaged over each UploadMinRateWindow, or it is answered 408: a
	// trickle cannot hold an upload slot until UPLOAD_TIMEOUT. Zero: off.
	UploadMinRate       int64
	UploadMinRateWindow time.Duration
	// FormBodyLimit bounds request bodies read whole (forms, JSON).
	FormBodyLimit int64
}

// FormBodyLimitCeiling is the largest FORM_BODY_LIMIT: bodies past it are
// streamed by the HTTP server, never held whole.
const FormBodyLimitCeiling = 4 << 20

// Embedded reports whether the portal runs its own MongoDB-wire and S3 servers.
func (c Config) Embedded() bool { return c.MongoURI == "" && c.S3Endpoint == "" }

// EmbeddedMongo and EmbeddedS3 report which embedded server is needed:
// each is used when its external counterpart is not configured.
func (c Config) EmbeddedMongo() bool { return c.MongoURI == "" }
func (c Config) EmbeddedS3() bool    { return c.S3Endpoint == "" }

// SearchIndexPath is where the full-text index lives.
func (c Config) SearchIndexPath() string {
	if c.SearchIndexDir != "" {
		return c.SearchIndexDir
	}
	return filepath.Join(c.DataDir, "search")
}

// Error names the variable that is wrong.
type Error struct {
	Var string
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("configuration: %s: %s", e.Var, e.Msg) }

// FromEnv reads the configuration from the process environment.
func FromEnv() (Config, error) { return Load(os.Getenv) }

// Load reads the configuration through getenv (os.Getenv in production).
func Load(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	c := Config{
		Port:              r.int("PORT", 8080, 1, 65535),
		DataDir:           r.str("DATA_DIR", "storage"),
		SearchIndexDir:    r.str("SEARCH_INDEX_DIR", ""),
		MongoURI:          r.secret("MONGODB_URI"),
		MongoDatabase:     r.str("MONGODB_DATABASE", "portal"),
		S3Endpoint:        r.str("S3_ENDPOINT", ""),
		S3AccessKey:       r.secret("S3_ACCESS_KEY"),
		S3SecretKey:       r.secret("S3_SECRET_KEY"),
		S3Bucket:          r.str("S3_BUCKET", "webinars"),
		S3UseSSL:          r.bool("S3_USE_SSL", false),
		S3Region:          r.str("S3_REGION", "us-east-1"),
		CookieSecure:      r.bool("COOKIE_SECURE", false),
		TrustedProxies:    r.list("TRUSTED_PROXIES"),
		MediaDelivery:     r.str("MEDIA_DELIVERY", "proxy"),
		PresignTTL:        r.duration("PRESIGN_TTL", time.Hour),
		S3PublicEndpoint:  r.str("S3_PUBLIC_ENDPOINT", ""),
		S3PublicUseSSL:    r.bool("S3_PUBLIC_USE_SSL", false),
		MaxRecordingBytes: r.bytes("MAX_RECORDING_BYTES", 4<<30),
		MaxSlidesBytes:    r.bytes("MAX_SLIDES_BYTES", 200<<20),
		MaxSubtitleBytes:  r.bytes("MAX_SUBTITLE_BYTES", 5<<20),
		SessionTTL:        r.duration("SESSION_TTL", 7*24*time.Hour),
		SessionIdle:       r.duration("SESSION_IDLE", 2*time.Hour),
		InviteTTL:         r.duration("INVITE_TTL", 7*24*time.Hour),
		ResetTTL:          r.duration("RESET_TTL", 24*time.Hour),
		PublicURL:         strings.TrimRight(r.str("PUBLIC_URL", ""), "/"),
		SMTPHost:          r.str("SMTP_HOST", ""),
		SMTPPort:          r.int("SMTP_PORT", 587, 1, 65535),
		SMTPUser:          r.str("SMTP_USER", ""),
		SMTPPassword:      r.secret("SMTP_PASSWORD"),
		SMTPFrom:          r.str("SMTP_FROM", ""),
		HTTPReadTimeout:   r.duration("HTTP_READ_TIMEOUT", time.Minute),
		HTTPIdleTimeout:   r.duration("HTTP_IDLE_TIMEOUT", 2*time.Minute),
		UploadTimeout:     r.duration("UPLOAD_TIMEOUT", 6*time.Hour),
		WishesPerHour:     r.int("WISHES_PER_HOUR", 5, 1, 10000),
		LogLevel:          r.str("LOG_LEVEL", "info"),
		DevTemplates:      r.bool("DEV_TEMPLATES", false),

		MetricsAddr:          r.str("METRICS_ADDR", ""),
		ShutdownTimeout:      r.duration("SHUTDOWN_TIMEOUT", 30*time.Second),
		MongoTimeout:         r.duration("MONGO_TIMEOUT", 10*time.Second),
		S3Timeout:            r.duration("S3_TIMEOUT", time.Minute),
		MaxConcurrentUploads: r.int("MAX_CONCURRENT_UPLOADS", 4, 1, 1000),

		SweepInterval:       r.duration("SWEEP_INTERVAL", time.Hour),
		SweepGrace:          r.duration("SWEEP_GRACE", 24*time.Hour),
		UploadMinRate:       r.bytesOrZero("UPLOAD_MIN_RATE", 16<<10),
		UploadMinRateWindow: r.duration("UPLOAD_MIN_RATE_WINDOW", time.Minute),
		FormBodyLimit:       r.bytes("FORM_BODY_LIMIT", 1<<20),
	}
	if r.err != nil {
		return Config{}, r.err
	}
	if r.str("SESSION_IDLE", "") == "" && c.SessionIdle > c.SessionTTL {
		c.SessionIdle = c.SessionTTL // a short SESSION_TTL alone shortens both
	}
	return c, c.validate()
}

// MaxSubtitleBytesCeiling is the largest MAX_SUBTITLE_BYTES allowed: the
// subtitle parser's own limit (subtitle.MaxBytes), set by MongoDB's
// 16 MiB document size.
const MaxSubtitleBytesCeiling = 10 << 20

func (c Config) validate() error {
	if c.MaxSubtitleBytes > MaxSubtitleBytesCeiling {
		return &Error{"MAX_SUBTITLE_BYTES", "must be at most 10MiB (a subtitle track is stored in one MongoDB document)"}
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		return &Error{"MONGODB_URI", "must start with mongodb:// or mongodb+srv://"}
	}
	if c.S3Endpoint != "" {
		if strings.Contains(c.S3Endpoint, "://") || strings.Contains(c.S3Endpoint, "/") {
			return &Error{"S3_ENDPOINT", "must be host:port without scheme or path (use S3_USE_SSL for https)"}
		}
		if c.S3AccessKey == "" {
			return &Error{"S3_ACCESS_KEY", "must be set when S3_ENDPOINT is set"}
		}
		if c.S3SecretKey == "" {
			return &Error{"S3_SECRET_KEY", "must be set when S3_ENDPOINT is set"}
		}
	}
	if l := len(c.S3Bucket); l < 3 || l > 63 || strings.ToLower(c.S3Bucket) != c.S3Bucket || strings.ContainsAny(c.S3Bucket, "_ /") {
		return &Error{"S3_BUCKET", "must be 3-63 lower-case letters, digits, dots or hyphens"}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"HTTP_READ_TIMEOUT", c.HTTPReadTimeout}, {"HTTP_IDLE_TIMEOUT", c.HTTPIdleTimeout}, {"UPLOAD_TIMEOUT", c.UploadTimeout}} {
		if d.v < time.Second {
			return &Error{d.name, "must be at least 1s"}
		}
	}
	switch c.MediaDelivery {
	case "proxy", "redirect":
	default:
		return &Error{"MEDIA_DELIVERY", "must be proxy or redirect"}
	}
	if c.PresignTTL < time.Minute || c.PresignTTL > 7*24*time.Hour {
		return &Error{"PRESIGN_TTL", "must be between 1m and 168h"}
	}
	if strings.Contains(c.S3PublicEndpoint, "://") || strings.Contains(c.S3PublicEndpoint, "/") {
		return &Error{"S3_PUBLIC_ENDPOINT", "must be host:port without scheme or path (use S3_PUBLIC_USE_SSL for https)"}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return &Error{"LOG_LEVEL", "must be debug, info, warn or error"}
	}
	if c.DataDir == "" {
		return &Error{"DATA_DIR", "must not be empty"}
	}
	if c.SessionIdle > c.SessionTTL {
		return &Error{"SESSION_IDLE", "must not be longer than SESSION_TTL"}
	}
	if c.PublicURL != "" {
		u, err := url.Parse(c.PublicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return &Error{"PUBLIC_URL", "must be the portal's address, such as https://arkiv.smakom.se"}
		}
	}
	if c.SMTPHost != "" {
		if strings.Contains(c.SMTPHost, ":") || strings.Contains(c.SMTPHost, "/") {
			return &Error{"SMTP_HOST", "must be a host name without port or scheme (use SMTP_PORT)"}
		}
		if a, err := mail.ParseAddress(c.SMTPFrom); err != nil || a.Address == "" {
			return &Error{"SMTP_FROM", "must be a sender address, such as \"SmåKom <arkiv@smakom.se>\", when SMTP_HOST is set"}
		}
		if c.PublicURL == "" {
			return &Error{"PUBLIC_URL", "must be set when SMTP_HOST is set: links in mails use it"}
		}
	} else if c.SMTPUser != "" || c.SMTPPassword != "" || c.SMTPFrom != "" {
		return &Error{"SMTP_HOST", "must be set when other SMTP_ settings are"}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return &Error{"METRICS_ADDR", "must be host:port, e.g. 127.0.0.1:9090"}
		}
	}
	if c.MongoTimeout < 100*time.Millisecond || c.MongoTimeout > 5*time.Minute {
		return &Error{"MONGO_TIMEOUT", "must be between 100ms and 5m"}
	}
	if c.S3Timeout < 100*time.Millisecond || c.S3Timeout > 10*time.Minute {
		return &Error{"S3_TIMEOUT", "must be between 100ms and 10m"}
	}
	if c.SweepInterval < time.Second {
		return &Error{"SWEEP_INTERVAL", "must be at least 1s"}
	}
	if c.SweepGrace < time.Second {
		return &Error{"SWEEP_GRACE", "must be at least 1s"}
	}
	if c.UploadMinRateWindow < time.Second || c.UploadMinRateWindow > time.Hour {
		return &Error{"UPLOAD_MIN_RATE_WINDOW", "must be between 1s and 1h"}
	}
	if c.UploadMinRate > 100<<20 {
		return &Error{"UPLOAD_MIN_RATE", "must be at most 100MiB (bytes per second; 0 turns it off)"}
	}
	if c.FormBodyLimit < 1<<10 || c.FormBodyLimit > FormBodyLimitCeiling {
		return &Error{"FORM_BODY_LIMIT", "must be between 1KiB and 4MiB"}
	}
	return nil
}

type reader struct {
	getenv func(string) string
	err    error
}

func (r *reader) fail(name, msg string) {
	if r.err == nil {
		r.err = &Error{name, msg}
	}
}

func (r *reader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret reads NAME, or the file named by NAME_FILE (docker secrets).
func (r *reader) secret(name string) string {
	v := strings.TrimSpace(r.getenv(name))
	path := strings.TrimSpace(r.getenv(name + "_FILE"))
	if v != "" && path != "" {
		r.fail(name, "set either "+name+" or "+name+"_FILE, not both")
		return ""
	}
	if path == "" {
		return v
	}
	b, err := os.ReadFile(path)
	if err != nil {
		r.fail(name+"_FILE", fmt.Sprintf("cannot read %s: %v", path, errors.Unwrap(err)))
		return ""
	}
	return strings.TrimSpace(string(b))
}

func (r *reader) int(name string, def, min, max int) int {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		r.fail(name, fmt.Sprintf("must be a whole number from %d to %d, got %q", min, max, v))
		return def
	}
	return n
}

func (r *reader) bool(name string, def bool) bool {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, fmt.Sprintf("must be true or false, got %q", v))
		return def
	}
	return b
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, fmt.Sprintf("must be a positive duration such as 336h or 30m, got %q", v))
		return def
	}
	return d
}

// bytes accepts a plain number of bytes or a number with KiB/MiB/GiB (or K/M/G).
func (r *reader) bytes(name string, def int64) int64 {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := ParseBytes(v)
	if err != nil || n <= 0 {
		r.fail(name, fmt.Sprintf("must be a size such as 4GiB, 500MiB or 1048576, got %q", v))
		return def
	}
	return n
}

// bytesOrZero is bytes, but "0" is allowed (a feature turned off).
func (r *reader) bytesOrZero(name string, def int64) int64 {
	if strings.TrimSpace(r.getenv(name)) == "0" {
		return 0
	}
	return r.bytes(name, def)
}

func (r *reader) list(name string) []string {
	var out []string
	for _, p := range strings.Split(r.getenv(name), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseBytes parses sizes such as "4GiB", "500MB", "100M" or "1048576".
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, errors.New("size must not be negative")
	}
	if n > (1<<62)/mult {
		return 0, fmt.Errorf("too large")
	}
	return n * mult, nil
}
