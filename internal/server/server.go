// Package server is the portal's HTTP layer on Fiber v2: pages for
// visitors and staff, media streaming and the JSON API. Handlers call the
// domain services; they never build BSON or object keys.
package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/etag"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/valyala/fasthttp"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/metrics"
	"github.com/smakom/webinar-portal/internal/search"
	"github.com/smakom/webinar-portal/internal/throttle"
	"github.com/smakom/webinar-portal/internal/upload"
	"github.com/smakom/webinar-portal/internal/webinar"
	"github.com/smakom/webinar-portal/internal/wish"
)

// ObjectReader is the read side of object storage that streaming needs.
type ObjectReader interface {
	Stat(ctx context.Context, key string) (media.Object, error)
	Get(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)
}

// LocalFiles opens objects straight from the S3 server's folder when the
// portal runs it in-process; media then go out with sendfile.
type LocalFiles interface {
	Open(key string, size, offset, length int64) (*media.FileRange, error)
}

// Searcher answers catalogue searches from the full-text index.
type Searcher interface {
	Search(r search.Request) (*search.Result, error)
}

// ViewCounter counts how often webinars are watched.
type ViewCounter interface {
	Add(webinarID string)
	Count(ctx context.Context, webinarID string) (int64, error)
}

// RangeReader reads object ranges as bodies that go from the S3 server's
// socket to the viewer's without a copy through the portal (splice).
type RangeReader interface {
	Get(ctx context.Context, key string, offset, length int64) (*media.ProxiedRange, error)
}

// Presigner gives short-lived direct URLs for public media (redirect
// delivery mode).
type Presigner interface {
	URL(ctx context.Context, key, disposition string) (string, time.Duration, error)
}

// Pinger answers a readiness probe.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Deps are the services the HTTP layer uses.
type Deps struct {
	Accounts *account.Service
	Webinars *webinar.Service
	Wishes   *wish.Store
	Objects  ObjectReader
	// Uploads keeps resumable uploads (their parts go straight to S3).
	Uploads *upload.Store
	// Presigner, when set, answers public media with a redirect to the
	// S3 server (MEDIA_DELIVERY=redirect); nil streams through the portal.
	Presigner Presigner
	// ReadTimeout bounds the arrival of a request's header and body (0:
	// none); UploadTimeout replaces it for uploads.
	ReadTimeout, UploadTimeout time.Duration
	// Ranges, when set, streams media from a plain-HTTP S3 server with
	// splice; anything it cannot read is read through Objects.
	Ranges RangeReader
	// LocalFiles, when set, serves media whose size the metadata knows
	// from local files; anything it cannot open is read through S3.
	LocalFiles LocalFiles
	// Search, when set, answers catalogue queries (words in q) from the
	// full-text index, down to the moment in a transcript; without it
	// the catalogue matches titles in MongoDB.
	Search Searcher
	// Views, when set, counts watch-page views (not by staff) and shows
	// the count.
	Views ViewCounter
	// Audit, when set, records what staff change (shown at /staff/audit).
	Audit AuditLog
	// Positions, when set, lets logged-in viewers resume where they
	// stopped.
	Positions Positions
	// Ready checks, by name ("mongodb", "s3").
	Ready        map[string]Pinger
	Logger       *slog.Logger
	CookieSecure bool
	// TrustedProxies may set X-Forwarded-For/-Proto.
	TrustedProxies []string
	WishesPerHour  int
	SessionTTL     time.Duration
	// Mailer, when set, mails invite and reset links and tells staff of
	// new wishes; without it staff copy links from the page.
	Mailer Mailer
	// PublicURL is the portal's address for links (PUBLIC_URL); empty:
	// the address the request came to (only ever shown, never mailed).
	PublicURL string
	// InviteTTL and ResetTTL are the lifetimes of one-time links
	// (defaults 7 days and 24 hours).
	InviteTTL, ResetTTL time.Duration
	// LoginThrottle slows password guessing; nil: a fresh one with the
	// default policies (in memory, per instance).
	LoginThrottle *throttle.Login
	// TemplateDir, when set, re-reads templates from disk on every request.
	TemplateDir string
	// Metrics, when set, records requests, media bytes and uploads.
	Metrics *metrics.Metrics
	// CallTimeout bounds each request's MongoDB and S3 calls (MONGO_TIMEOUT);
	// zero means 30 s.
	CallTimeout time.Duration
	// MaxConcurrentUploads bounds upload requests running at once; zero
	// means no bound.
	MaxConcurrentUploads int
	// UploadMinRate (bytes/s, averaged over UploadMinRateWindow of
	// waiting for the client) is the slowest an upload may arrive before
	// it is answered 408; zero: no floor.
	UploadMinRate       int64
	UploadMinRateWindow time.Duration
	// FormBodyLimit bounds request bodies read whole (forms and JSON);
	// zero means defaultFormBodyLimit.
	FormBodyLimit int64
}

// Server holds the HTTP app and its dependencies.
type Server struct {
	// catalogueCache keeps catalogue pages for anonymous visitors.
	catalogueCache pageCache
	listingCache   listingCache

	deps     Deps
	cueCache cueCache // transcript cues of the watch page
	log      *slog.Logger
	pages    *renderer
	app      *fiber.App
	// uploadSlots holds one token per running upload (nil: no bound).
	uploadSlots chan struct{}
}

// defaultFormBodyLimit bounds request bodies read whole (forms and JSON)
// when Deps.FormBodyLimit is not set. Upload routes stream instead and
// enforce their own limits.
const defaultFormBodyLimit = 1 << 20

// bufferedBodyLimit: bodies up to this size are read whole by the HTTP
// server before the handler runs; larger ones are streamed.
const bufferedBodyLimit = 4 << 20

// New builds the Fiber app with every route. A broken template stops it.
func New(deps Deps) (*Server, error) {
	pages, err := newRenderer(deps.TemplateDir)
	if err != nil {
		return nil, err
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.LoginThrottle == nil {
		deps.LoginThrottle = throttle.NewLogin(nil)
	}
	if deps.InviteTTL <= 0 {
		deps.InviteTTL = account.DefaultInviteTTL
	}
	if deps.ResetTTL <= 0 {
		deps.ResetTTL = account.DefaultResetTTL
	}
	s := &Server{deps: deps, log: deps.Logger, pages: pages, cueCache: cueCache{ttl: cueCacheTTL}}
	if deps.CallTimeout <= 0 {
		s.deps.CallTimeout = defaultCallTimeout
	}
	if deps.FormBodyLimit <= 0 {
		s.deps.FormBodyLimit = defaultFormBodyLimit
	}
	if deps.MaxConcurrentUploads > 0 {
		s.uploadSlots = make(chan struct{}, deps.MaxConcurrentUploads)
	}
	s.app = fiber.New(fiber.Config{
		AppName:                      "smakom-portal",
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		BodyLimit:                    bufferedBodyLimit, // bodies past this are streamed, not buffered
		ErrorHandler:                 s.handleError,
		DisableStartupMessage:        true,
		// A header and a small body must arrive within ReadTimeout;
		// uploads get UploadTimeout (see requestTimeouts). Stalled reads
		// and writes are cut by the listener (connguard), not here: a
		// total write timeout would cut long streams to slow viewers.
		ReadTimeout:             deps.ReadTimeout,
		WriteTimeout:            0,
		IdleTimeout:             2 * time.Minute,
		EnableTrustedProxyCheck: len(deps.TrustedProxies) > 0,
		TrustedProxies:          deps.TrustedProxies,
		ProxyHeader:             proxyHeader(deps.TrustedProxies),
	})
	s.app.Server().HeaderReceived = s.requestTimeouts
	s.routes()
	return s, nil
}

// requestTimeouts gives uploads longer than other requests to arrive.
func (s *Server) requestTimeouts(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	if s.deps.UploadTimeout > 0 && uploadRoute(string(h.Method()), string(h.RequestURI()[:pathLen(h.RequestURI())])) {
		return fasthttp.RequestConfig{ReadTimeout: s.uploadReadTimeout(int64(h.ContentLength()))}
	}
	return fasthttp.RequestConfig{}
}

// uploadReadTimeout is how long the HTTP server waits for an upload of n
// bytes (-1: chunked) before the handler runs. A body of at most
// bufferedBodyLimit is read whole first, and a larger one's first
// streamPrefetch bytes, so before the handler (and its rate floor) sees
// them the floor is applied here: the time it allows for those bytes
// plus one window, never less than HTTP_READ_TIMEOUT. A streamed body
// gets the rest of UPLOAD_TIMEOUT from the handler (extendUploadDeadline).
func (s *Server) uploadReadTimeout(n int64) time.Duration {
	d := s.deps.UploadTimeout
	rate := s.deps.UploadMinRate
	if rate <= 0 || n < 0 {
		return d
	}
	first := n
	if n > bufferedBodyLimit {
		first = min(n, streamPrefetch)
	}
	floor := max(s.deps.UploadMinRateWindow+time.Duration(first/rate)*time.Second, s.deps.ReadTimeout)
	return min(d, floor)
}

// streamPrefetch is what fasthttp reads of a streamed body before the
// handler runs (readBodyWithStreaming).
const streamPrefetch = 8 << 10

// extendUploadDeadline gives a streamed upload, once its handler runs,
// UPLOAD_TIMEOUT from now instead of the short time uploadReadTimeout
// allowed for its first bytes; the rate floor bounds it from here on.
func (s *Server) extendUploadDeadline(c *fiber.Ctx) {
	if s.deps.UploadTimeout > 0 && s.deps.UploadMinRate > 0 && c.Context().RequestBodyStream() != nil {
		_ = c.Context().Conn().SetReadDeadline(time.Now().Add(s.deps.UploadTimeout))
	}
}

// pathLen is the length of a request URI's path, before any query.
func pathLen(uri []byte) int {
	if i := bytes.IndexByte(uri, '?'); i >= 0 {
		return i
	}
	return len(uri)
}

func proxyHeader(trusted []string) string {
	if len(trusted) > 0 {
		return fiber.HeaderXForwardedFor
	}
	return ""
}

// App is the Fiber app, for Listen and tests.
func (s *Server) App() *fiber.App { return s.app }

func (s *Server) routes() {
	app := s.app
	// The request log is outermost, so a recovered panic is logged and
	// counted with its 500 like any other answer.
	app.Use(s.requestLog)
	app.Use(recover.New(recover.Config{EnableStackTrace: true, StackTraceHandler: s.logPanic}))
	app.Use(s.securityHeaders)
	app.Use(s.limitBody)
	app.Use(s.loadUser)
	app.Use(s.csrf)
	// Brotli or gzip for text answers (pages, CSS, JS, JSON, subtitles;
	// fasthttp compresses only text types). Never media or ranges: they
	// go out with exact lengths, often by sendfile.
	app.Use(compress.New(compress.Config{Next: func(c *fiber.Ctx) bool {
		return isMediaPath(c.Path()) || c.Get(fiber.HeaderRange) != ""
	}}))
	// Error pages are rendered here, inside compression, rather than by
	// requestLog: the compressor skips a handler that returned an error.
	app.Use(func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			return s.app.ErrorHandler(c, err)
		}
		return nil
	})
	// Weak ETags and 304s for pages and JSON; media set their own.
	app.Use(etag.New(etag.Config{Weak: true, Next: func(c *fiber.Ctx) bool {
		return c.Method() != fiber.MethodGet || isMediaPath(c.Path())
	}}))

	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)
	app.Get("/static/*", s.static)

	app.Get("/", s.showCatalogue)
	app.Get("/webinars/:slug", s.showWebinar)
	app.Get("/webinars/:slug/recording", s.serveRecording) // Fiber answers HEAD on GET routes
	app.Get("/webinars/:slug/slides/:n", s.serveSlides)
	app.Get("/webinars/:slug/subtitles/:file", s.serveSubtitles)
	app.Get("/webinars/:slug/poster", s.servePoster)
	app.Get("/webinars/:slug/embed", s.showEmbed)

	app.Get("/feeds/webinars.:format", s.serveFeed)

	// One budget per IP for the form and the API together.
	wishLimit := s.wishLimiter()
	app.Get("/wishes/new", s.newWish)
	app.Post("/wishes", wishLimit, s.createWish)
	app.Get("/wishes/thanks", s.showWishThanks)
	app.Get("/wishes", s.listPublicWishes)
	app.Post("/wishes/:id/support", s.supportWish)
	app.Get("/favicon.ico", s.favicon)
	app.Get("/tillganglighet", s.showAccessibility)

	app.Get("/login", s.showLogin)
	app.Post("/login", s.login)
	app.Post("/logout", s.logout)
	app.Get("/account", s.requireLogin, s.showAccount)
	app.Post("/account/password", s.requireLogin, s.changePassword)
	app.Post("/account/logout-all", s.requireLogin, s.logoutEverywhere)
	app.Get("/invite", s.showSetPassword(account.LinkInvite))
	app.Post("/invite", s.setPasswordByLink(account.LinkInvite))
	app.Get("/reset", s.showSetPassword(account.LinkReset))
	app.Post("/reset", s.setPasswordByLink(account.LinkReset))
	app.Get("/forgot", s.showForgot)
	app.Post("/forgot", s.forgotLimiter(), s.forgot)

	staff := app.Group("/staff", s.requireStaffPage, s.auditChanges)
	staff.Get("/", s.listStaffWebinars)
	staff.Get("/webinars/new", s.newWebinarForm)
	staff.Post("/webinars", s.createWebinarForm)
	staff.Get("/webinars/:slug/edit", s.editWebinarForm)
	staff.Post("/webinars/:slug", s.updateWebinarForm)
	staff.Post("/webinars/:slug/publish", s.publishWebinar)
	staff.Post("/webinars/:slug/unpublish", s.unpublishWebinar)
	staff.Get("/webinars/:slug/delete", s.confirmDeleteWebinar)
	staff.Post("/webinars/:slug/delete", s.deleteWebinarForm)
	staff.Post("/webinars/:slug/recording", s.uploadSlot("raw"), s.uploadRecordingForm)
	staff.Post("/webinars/:slug/slides", s.uploadSlot("raw"), s.uploadSlidesForm)
	staff.Post("/webinars/:slug/slides/:n/delete", s.deleteSlidesForm)
	staff.Post("/webinars/:slug/subtitles", s.uploadSlot("raw"), s.uploadSubtitlesForm)
	staff.Post("/webinars/:slug/subtitles/:lang/delete", s.deleteSubtitlesForm)
	staff.Get("/webinars/:slug/subtitles/:lang/edit", s.editCaptions)
	staff.Post("/webinars/:slug/subtitles/:lang/shift", s.shiftSubtitlesForm)
	staff.Post("/webinars/:slug/poster", s.uploadSlot("raw"), s.uploadPosterForm)
	staff.Get("/audit", s.showAudit)
	staff.Get("/wishes", s.listWishes)
	staff.Get("/wishes.csv", s.exportWishes)
	staff.Post("/wishes/merge", s.mergeWishes)
	staff.Post("/wishes/:id/status", s.setWishStatus)
	staff.Post("/wishes/:id", s.triageWish)
	staff.Get("/accounts", s.listAccounts)
	staff.Post("/accounts/invite", s.inviteMember)
	staff.Post("/accounts/:id/disable", s.setAccountDisabled(true))
	staff.Post("/accounts/:id/enable", s.setAccountDisabled(false))
	staff.Post("/accounts/:id/reset", s.issueResetLink)
	staff.Post("/accounts/:id/role", s.changeRole)
	s.tokenRoutes(staff)

	s.chapterRoutes(app, staff)

	api := app.Group("/api/v1")
	api.Get("/webinars", s.apiListWebinars)
	api.Get("/webinars/:slug", s.apiGetWebinar)
	api.Get("/search", s.apiSearch)
	api.Put("/me/positions/:slug", s.apiSavePosition)
	api.Post("/wishes", wishLimit, s.apiCreateWish)
	staffAPI := api.Group("", s.requireStaffAPI, s.auditChanges)
	staffAPI.Post("/webinars", s.apiCreateWebinar)
	staffAPI.Patch("/webinars/:slug", s.apiUpdateWebinar)
	staffAPI.Delete("/webinars/:slug", s.apiDeleteWebinar)
	staffAPI.Put("/webinars/:slug/recording", s.uploadSlot("raw"), s.apiPutRecording)
	staffAPI.Put("/webinars/:slug/slides", s.uploadSlot("raw"), s.apiPutSlides)
	staffAPI.Put("/webinars/:slug/subtitles/:lang", s.uploadSlot("raw"), s.apiPutSubtitles)
	staffAPI.Get("/webinars/:slug/subtitles/:lang", s.apiGetSubtitleTrack)
	staffAPI.Put("/webinars/:slug/subtitles/:lang/cues", s.apiPutCues)
	staffAPI.Post("/webinars/:slug/subtitles/:lang/shift", s.apiShiftSubtitles)
	staffAPI.Get("/wishes", s.apiListWishes)
	staffAPI.Options("/uploads", s.tusOptions)
	staffAPI.Post("/uploads", s.createUpload)
	staffAPI.Head("/uploads/:id", s.uploadOffset)
	staffAPI.Patch("/uploads/:id", s.uploadSlot("tus"), s.appendUpload)
	staffAPI.Delete("/uploads/:id", s.cancelUpload)

	app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
}

// isMediaPath reports whether a path streams an object (never buffered
// for an ETag).
func isMediaPath(p string) bool {
	return strings.HasPrefix(p, "/webinars/") &&
		(strings.HasSuffix(p, "/recording") || strings.HasSuffix(p, "/poster") || strings.Contains(p, "/slides/"))
}

// streamingRoute reports whether a route reads its body as a stream.
func streamingRoute(c *fiber.Ctx) bool { return uploadRoute(c.Method(), c.Path()) }

// uploadRoute reports whether method and path upload a file, read as a
// stream and given UploadTimeout to arrive.
func uploadRoute(method, p string) bool {
	switch method {
	case fiber.MethodPut:
		return strings.HasPrefix(p, "/api/v1/webinars/")
	case fiber.MethodPatch:
		return strings.HasPrefix(p, "/api/v1/uploads/")
	case fiber.MethodPost:
		return strings.HasPrefix(p, "/staff/webinars/") && (strings.HasSuffix(p, "/recording") || strings.HasSuffix(p, "/slides") || strings.HasSuffix(p, "/subtitles") || strings.HasSuffix(p, "/poster"))
	}
	return false
}

// requestContext bounds a request's database and storage calls
// (Deps.CallTimeout, set on each request by requestLog).
func requestContext(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	d, ok := c.Locals("call_timeout").(time.Duration)
	if !ok || d <= 0 {
		d = defaultCallTimeout
	}
	return context.WithTimeout(c.UserContext(), d)
}
