package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/smakom/webinar-portal/internal/config"
	"github.com/smakom/webinar-portal/internal/mail"
)

// newMailer is the SMTP sender of the configuration, nil when SMTP_HOST
// is not set.
func newMailer(cfg config.Config) (*mail.Sender, error) {
	if cfg.SMTPHost == "" {
		return nil, nil
	}
	return mail.New(mail.Config{Host: cfg.SMTPHost, Port: cfg.SMTPPort, User: cfg.SMTPUser,
		Password: cfg.SMTPPassword, From: cfg.SMTPFrom})
}

// mailCommand sends a test mail ("portal mail test --to ADDR"). It needs
// no database, so it works while the portal runs.
func mailCommand(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "test" {
		return usageError{"mail: expected \"test\""}
	}
	fs := flag.NewFlagSet("mail test", flag.ContinueOnError)
	to := fs.String("to", "", "address to send the test mail to")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	if *to == "" {
		return usageError{"mail test: --to is required"}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("mail test: unexpected argument %q", fs.Arg(0))}
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	sender, err := newMailer(cfg)
	if err != nil {
		return err
	}
	if sender == nil {
		return errors.New("mail is off: set SMTP_HOST, SMTP_FROM and PUBLIC_URL (and SMTP_USER, SMTP_PASSWORD_FILE if the server needs a login)")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	body := "Det här är ett testmejl från SmåKoms webbinariearkiv (" + cfg.PublicURL + ").\n" +
		"Kommer det fram fungerar mejlinställningarna: inbjudningar, återställningslänkar och avisering om nya önskemål.\n\n" +
		"This is a test mail from SmåKom's webinar archive. If it arrives, the mail settings work.\n"
	rep, err := sender.SendReport(ctx, *to, "Testmejl från SmåKoms webbinariearkiv", body)
	if err != nil {
		return fmt.Errorf("test mail to %s NOT sent: %w", *to, err)
	}
	enc := "without encryption (the server offered no STARTTLS)"
	if rep.STARTTLS {
		enc = "encrypted with STARTTLS"
	}
	login := "without login"
	if rep.Auth {
		login = "logged in as " + cfg.SMTPUser
	}
	fmt.Fprintf(os.Stdout, "Test mail sent to %s via %s, %s, %s.\n", *to, rep.Server, enc, login)
	return nil
}
