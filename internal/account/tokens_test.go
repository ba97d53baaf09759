package account_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/smakom/webinar-portal/internal/account"
	"github.com/smakom/webinar-portal/internal/testenv"
)

func TestListAndRevokeTokens(t *testing.T) {
	ctx := context.Background()
	svc, err := account.NewService(ctx, testenv.MongoDB(t), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddUser(ctx, "redaktor@smakom.example", account.RoleStaff, "ett långt lösenord"); err != nil {
		t.Fatal(err)
	}
	first, err := svc.CreateToken(ctx, "redaktor@smakom.example", "skript")
	if err != nil {
		t.Fatal(err)
	}
	second, err := svc.CreateToken(ctx, "redaktor@smakom.example", "kalender")
	if err != nil {
		t.Fatal(err)
	}
	list, err := svc.ListTokens(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	for _, info := range list {
		if info.Email != "redaktor@smakom.example" || len(info.Ref) != 12 || strings.Contains(first+second, info.Ref) {
			t.Errorf("token info %+v (the reference must not be part of a token)", info)
		}
	}
	for _, bad := range []string{"", "abc", "zzzzzzzz"} {
		if _, err := svc.RevokeToken(ctx, bad); err == nil {
			t.Errorf("revoke %q accepted", bad)
		}
	}
	if _, err := svc.RevokeToken(ctx, "00000000"); !errors.Is(err, account.ErrNotFound) && list[0].Ref[:8] != "00000000" {
		t.Errorf("revoke of an unknown reference: %v", err)
	}
	var skript account.TokenInfo
	for _, info := range list {
		if info.Name == "skript" {
			skript = info
		}
	}
	revoked, err := svc.RevokeToken(ctx, strings.ToUpper(skript.Ref[:8]))
	if err != nil || revoked.Name != "skript" {
		t.Fatalf("revoke: %+v, %v", revoked, err)
	}
	if _, err := svc.TokenUser(ctx, first); !errors.Is(err, account.ErrNotFound) {
		t.Errorf("a revoked token still works: %v", err)
	}
	if u, err := svc.TokenUser(ctx, second); err != nil || u.Email != "redaktor@smakom.example" {
		t.Errorf("the other token stopped working: %v", err)
	}
}
