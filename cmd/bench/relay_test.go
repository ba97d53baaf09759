package main

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary serve as the relay process, as the bench
// binary does.
func TestMain(m *testing.M) {
	if target := os.Getenv(relayTargetEnv); target != "" {
		os.Exit(runRelay(target))
	}
	os.Exit(m.Run())
}

func TestRelayPassesRequestsAndBodiesWhole(t *testing.T) {
	body := make([]byte, 5<<20+17)
	_, _ = rand.NewChaCha8([32]byte{7}).Read(body)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ := io.ReadAll(r.Body)
		if r.Method == http.MethodPut {
			w.Header().Set("X-Got", r.URL.Path)
			w.Write(got)
			return
		}
		http.ServeContent(w, r, "rec.mp4", time.Unix(1715000000, 0), bytes.NewReader(body))
	}))
	defer srv.Close()

	rl, err := startRelay(context.Background(), srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer rl.Stop()
	if rl.addr == srv.Listener.Addr().String() {
		t.Fatalf("relay address %s is the server's own", rl.addr)
	}
	client := &http.Client{Transport: &http.Transport{}}
	for range 3 { // over one kept-alive connection
		res, err := client.Get("http://" + rl.addr + "/rec.mp4")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("GET through the relay: %d of %d bytes, equal %v, %v", len(got), len(body), bytes.Equal(got, body), err)
		}
	}
	up := body[:1<<20]
	req, _ := http.NewRequest(http.MethodPut, "http://"+rl.addr+"/up", bytes.NewReader(up))
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	echoed, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !bytes.Equal(echoed, up) || res.Header.Get("X-Got") != "/up" {
		t.Fatalf("PUT through the relay: echoed %d of %d bytes, X-Got %q", len(echoed), len(up), res.Header.Get("X-Got"))
	}
}
