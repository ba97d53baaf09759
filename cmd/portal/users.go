package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/audit"
	"github.com/smakom/webinar-portal/internal/config"
)

// adminStack opens the stack for a short command with quiet logs.
func adminStack(ctx context.Context) (*stack, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return nil, err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return openStack(ctx, cfg, log)
}

func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func userCommand(ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "role" {
		return userRoleCommand(ctx, args)
	}
	if len(args) == 0 || (args[0] != "add" && args[0] != "passwd") {
		return usageError{"user: expected \"add\", \"passwd\" or \"role\""}
	}
	sub := args[0]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	email := fs.String("email", "", "email address (login name)")
	roleName := fs.String("role", "", "admin, staff or member")
	municipality := fs.String("municipality", "", "the user's municipality (kommun), optional")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	if *email == "" || !*stdin {
		return usageError{"user " + sub + ": --email and --password-stdin are required"}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("user %s: unexpected argument %q", sub, fs.Arg(0))}
	}
	var role account.Role
	if sub == "add" {
		r, err := account.ParseRole(*roleName)
		if err != nil {
			return usageError{err.Error()}
		}
		role = r
	}
	password, err := readPassword(os.Stdin)
	if err != nil {
		return fmt.Errorf("read password: %w", err)
	}
	st, err := adminStack(ctx)
	if err != nil {
		return err
	}
	defer st.close()
	if sub == "passwd" {
		if err := st.accounts.SetPassword(ctx, *email, password); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "Password changed for %s.\n", *email)
		return logCommand(ctx, st, "bytte lösenord för "+*email, "user", args)
	}
	if *municipality != "" {
		if _, err := account.NormalizeMunicipality(*municipality); err != nil {
			return usageError{err.Error()}
		}
	}
	u, err := st.accounts.AddUser(ctx, *email, role, password)
	if err != nil {
		return err
	}
	if *municipality != "" {
		if err := st.accounts.SetMunicipality(ctx, u.ID, *municipality); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "Created %s with role %s.\n", u.Email, u.Role)
	return logCommand(ctx, st, fmt.Sprintf("skapade kontot %s med rollen %s", u.Email, u.Role), "user", args)
}

// userRoleCommand gives an account another role; its sessions end, and
// the last active admin cannot be demoted.
func userRoleCommand(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("user role", flag.ContinueOnError)
	email := fs.String("email", "", "email address of the account")
	roleName := fs.String("role", "", "admin, staff or member")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	if *email == "" || *roleName == "" {
		return usageError{"user role: --email and --role are required"}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("user role: unexpected argument %q", fs.Arg(0))}
	}
	role, err := account.ParseRole(*roleName)
	if err != nil {
		return usageError{err.Error()}
	}
	st, err := adminStack(ctx)
	if err != nil {
		return err
	}
	defer st.close()
	u, err := st.accounts.UserByEmail(ctx, *email)
	if err != nil {
		return err
	}
	old, err := st.accounts.SetRole(ctx, u.ID, role)
	if errors.Is(err, account.ErrSameRole) {
		fmt.Fprintf(os.Stderr, "%s has the role %s already; nothing changed.\n", u.Email, role)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "%s: role %s → %s; the account's sessions have ended.\n", u.Email, old.Role, role)
	return logCommand(ctx, st, fmt.Sprintf("ändrade rollen för %s från %s till %s", u.Email, old.Role, role), "user", args)
}

// logCommand records a change made with the portal command in the audit
// log that staff read at /staff/audit.
func logCommand(ctx context.Context, st *stack, action, command string, args []string) error {
	req := "portal " + command + " " + strings.Join(args, " ")
	if err := audit.New(st.db).Add(ctx, audit.Entry{Actor: audit.CommandLine, Action: action, Request: req}); err != nil {
		return fmt.Errorf("the change was made, but not logged: %w", err)
	}
	return nil
}

func tokenCommand(ctx context.Context, args []string) error {
	if len(args) > 0 && (args[0] == "list" || args[0] == "revoke") {
		return tokenAdminCommand(ctx, args)
	}
	if len(args) == 0 || args[0] != "create" {
		return usageError{"token: expected \"create\", \"list\" or \"revoke\""}
	}
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	email := fs.String("email", "", "email of a staff or admin user")
	name := fs.String("name", "", "what the token is for, e.g. \"upload script\"")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	if *email == "" || *name == "" {
		return usageError{"token create: --email and --name are required"}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("token create: unexpected argument %q", fs.Arg(0))}
	}
	st, err := adminStack(ctx)
	if err != nil {
		return err
	}
	defer st.close()
	token, err := st.accounts.CreateToken(ctx, *email, *name)
	if err != nil {
		return err
	}
	fmt.Println(token)
	fmt.Fprintln(os.Stderr, "Store this token now; it cannot be shown again. Use it as: Authorization: Bearer <token>")
	return logCommand(ctx, st, fmt.Sprintf("skapade API-nyckeln %q för %s", *name, *email), "token", args)
}

// tokenAdminCommand lists API tokens or revokes one.
func tokenAdminCommand(ctx context.Context, args []string) error {
	sub := args[0]
	fs := flag.NewFlagSet("token "+sub, flag.ContinueOnError)
	ref := fs.String("ref", "", "the token's reference from portal token list (at least 8 characters)")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("token %s: unexpected argument %q", sub, fs.Arg(0))}
	}
	if sub == "revoke" && *ref == "" {
		return usageError{"token revoke: --ref is required"}
	}
	st, err := adminStack(ctx)
	if err != nil {
		return err
	}
	defer st.close()
	if sub == "list" {
		tokens, err := st.accounts.ListTokens(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "REF\tNAME\tUSER\tCREATED")
		for _, t := range tokens {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.Ref, t.Name, t.Email, t.CreatedAt.Format("2006-01-02 15:04"))
		}
		return w.Flush()
	}
	t, err := st.accounts.RevokeToken(ctx, *ref)
	if errors.Is(err, account.ErrNotFound) {
		return fmt.Errorf("no token with the reference %q (see portal token list)", *ref)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "Revoked the token %q of %s.\n", t.Name, t.Email)
	return logCommand(ctx, st, fmt.Sprintf("drog in API-nyckeln %q för %s", t.Name, t.Email), "token", args)
}
