package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/smakom/webinar-portal/internal/audit"
	"github.com/smakom/webinar-portal/internal/config"
	"github.com/smakom/webinar-portal/internal/connguard"
	"github.com/smakom/webinar-portal/internal/demo"
	"github.com/smakom/webinar-portal/internal/integrity"
	"github.com/smakom/webinar-portal/internal/media"
	"github.com/smakom/webinar-portal/internal/metrics"
	"github.com/smakom/webinar-portal/internal/reqid"
	"github.com/smakom/webinar-portal/internal/resume"
	"github.com/smakom/webinar-portal/internal/server"
	"github.com/smakom/webinar-portal/internal/views"
)

func newLogger(level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	// Lines logged with a request's context name its request id.
	return slog.New(reqid.Handler(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l})))
}

func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	withDemo := fs.Bool("demo", false, "load the demo archive into an empty store")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve: unexpected argument %q", fs.Arg(0))}
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	// The embedded S3 server moves the working directory: resolve the
	// template folder first.
	templateDir := ""
	if cfg.DevTemplates {
		if templateDir, err = filepath.Abs("web"); err != nil {
			return err
		}
	}
	searchPath, err := searchDir(cfg)
	if err != nil {
		return err
	}
	start := time.Now()
	m := metrics.New()
	st, err := openStackWith(ctx, cfg, log, m)
	if err != nil {
		return err
	}
	defer st.close()
	if st.embedded != nil {
		log.Info("embedded storage started", "data_dir", cfg.DataDir, "mongodb", st.embedded.MongoURI, "s3", st.embedded.S3Endpoint)
		// portal backup finds the servers through it while DATA_DIR is
		// locked; st.close removes it.
		if err := st.embedded.WriteRunFile(); err != nil {
			log.Warn("run file not written: portal backup cannot run while the portal serves", "err", err)
		}
	}

	if *withDemo {
		n, err := demo.Load(ctx, st.webinars)
		switch {
		case errors.Is(err, demo.ErrNotEmpty):
			log.Info("demo archive not loaded: the store already has webinars")
		case err != nil:
			return fmt.Errorf("load demo archive: %w", err)
		default:
			if err := demo.LoadMembersOnly(ctx, st.webinars); err != nil {
				return fmt.Errorf("load demo archive: %w", err)
			}
			log.Info("demo archive loaded", "webinars", n+1)
		}
	}

	index, err := startSearch(ctx, searchPath, st, log)
	if err != nil {
		return err
	}
	defer index.Close()

	var presigner server.Presigner
	if cfg.MediaDelivery == "redirect" {
		p, err := media.NewPresigner(st.s3, cfg.S3PublicEndpoint, cfg.S3PublicUseSSL, cfg.PresignTTL)
		if err != nil {
			return err
		}
		presigner = p
		log.Info("public media are redirected to presigned S3 URLs", "ttl", cfg.PresignTTL.String())
	}
	// Media from an external plain-HTTP S3 server go out with splice; the
	// embedded server's files go out with sendfile instead.
	var ranges server.RangeReader
	if st.local == nil {
		p, err := media.NewRangeProxy(st.s3)
		if err != nil {
			return err
		}
		if p != nil {
			defer p.Close()
			p.SetClientIdle(cfg.HTTPIdleTimeout)
			m.S3IdleConnections(p.IdleConns)
			ranges = p
		}
	}
	// View counts are written by one goroutine every 10 s, and once more
	// after the last request at shutdown.
	viewCounter := views.New(st.db, log)
	viewsCtx, stopViews := context.WithCancel(context.Background())
	viewsDone := make(chan struct{})
	go func() { viewCounter.Run(viewsCtx, 10*time.Second); close(viewsDone) }()
	defer func() { stopViews(); <-viewsDone }()

	mailer, err := newMailer(cfg)
	if err != nil {
		return err
	}
	var serverMailer server.Mailer
	if mailer != nil {
		serverMailer = mailer
		log.Info("mail on", "smtp", fmt.Sprintf("%s:%d", cfg.SMTPHost, cfg.SMTPPort), "public_url", cfg.PublicURL)
	}
	srv, err := server.New(server.Deps{
		Mailer: serverMailer, PublicURL: cfg.PublicURL, InviteTTL: cfg.InviteTTL, ResetTTL: cfg.ResetTTL,
		Views: viewCounter, Positions: resume.NewStore(st.db), Audit: audit.New(st.db),
		Presigner: presigner, Ranges: ranges, Uploads: st.uploads, LocalFiles: localFiles(st.local), Search: index,
		Accounts: st.accounts, Webinars: st.webinars, Wishes: st.wishes, Objects: st.objects,
		Ready:  map[string]server.Pinger{"mongodb": mongoPinger{st.mongo}, "s3": st.objects},
		Logger: log, CookieSecure: cfg.CookieSecure, TrustedProxies: cfg.TrustedProxies,
		WishesPerHour: cfg.WishesPerHour, SessionTTL: cfg.SessionTTL, TemplateDir: templateDir,
		ReadTimeout: cfg.HTTPReadTimeout, UploadTimeout: cfg.UploadTimeout,
		Metrics: m, CallTimeout: cfg.MongoTimeout, MaxConcurrentUploads: cfg.MaxConcurrentUploads,
		UploadMinRate: cfg.UploadMinRate, UploadMinRateWindow: cfg.UploadMinRateWindow, FormBodyLimit: cfg.FormBodyLimit,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(cfg.Port))
	if err != nil {
		return fmt.Errorf("PORT %d: %w", cfg.Port, err)
	}
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, m, log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopMetrics()
	}
	go housekeeping(ctx, st, log)
	// Remove abandoned resumable uploads, abort stale multipart uploads,
	// remove orphaned objects and tracks, every SWEEP_INTERVAL.
	if cfg.SweepGrace < cfg.UploadTimeout {
		log.Warn("SWEEP_GRACE is shorter than UPLOAD_TIMEOUT: the sweeper may abort an upload that is still running",
			"sweep_grace", cfg.SweepGrace.String(), "upload_timeout", cfg.UploadTimeout.String())
	}
	go integrity.RunPeriodically(ctx, newChecker(st), cfg.SweepInterval, cfg.SweepGrace, log)

	url := fmt.Sprintf("http://localhost:%d/", cfg.Port)
	log.Info("portal ready", "url", url, "startup_ms", time.Since(start).Milliseconds())
	fmt.Fprintf(os.Stderr, "\nSmåKom webbinariearkiv: %s\n", url)
	if st.embedded != nil {
		fmt.Fprintf(os.Stderr, "Data in %s (embedded MongoDB-wire %s, S3 %s)\n", cfg.DataDir, st.embedded.MongoURI, st.embedded.S3Endpoint)
	}
	if has, err := st.accounts.HasAdmin(ctx); err == nil && !has {
		fmt.Fprintf(os.Stderr, "\nNo admin account yet. Create one (stop the portal first when it runs embedded):\n"+
			"  printf '%%s\\n' 'a-long-password' | go run ./cmd/portal user add --email you@example.se --role admin --password-stdin\n"+
			"then log in at %slogin\n\n", url)
		log.Warn("no admin account: create one with `portal user add --email E --role admin --password-stdin`")
	}

	errc := make(chan error, 1)
	// Every read and write must make progress within HTTP_IDLE_TIMEOUT.
	go func() { errc <- srv.App().Listener(connguard.Listen(ln, cfg.HTTPIdleTimeout)) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// No new connections; requests in flight (media streams, uploads)
	// go on until SHUTDOWN_TIMEOUT, idle connections close at once.
	// What still runs at the deadline is cut (an upload resumes later).
	log.Info("shutting down: draining requests", "timeout", cfg.ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	drainStart := time.Now()
	if err := srv.App().ShutdownWithContext(shutdownCtx); err != nil {
		log.Warn("requests still running at the shutdown deadline were cut", "timeout", cfg.ShutdownTimeout.String(), "err", err)
	} else {
		log.Info("all requests finished", "drain_ms", time.Since(drainStart).Milliseconds())
	}
	return nil
}

// housekeeping removes expired sessions (the embedded store has no TTL
// indexes), now and every hour.
func housekeeping(ctx context.Context, st *stack, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		// Bounded, so a database that hangs cannot stall the next rounds.
		dctx, cancel := context.WithTimeout(ctx, time.Minute)
		n, err := st.accounts.DeleteExpiredSessions(dctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			log.Warn("delete expired sessions", "err", err)
		} else if n > 0 {
			log.Info("expired sessions deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// localFiles is the embedded S3 server's folder as the server's optional
// LocalFiles (a nil *media.LocalFiles must become a nil interface).
func localFiles(l *media.LocalFiles) server.LocalFiles {
	if l == nil {
		return nil
	}
	return l
}
