package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/siogen/siogen/internal/nodetest"
)

// TestAsyncAPIDocument fetches the chat's /asyncapi.json, checks it is the
// document siogen generated from package chatapi, and validates it with the
// official parser (@asyncapi/parser): no diagnostic of severity error.
func TestAsyncAPIDocument(t *testing.T) {
	nodetest.Require(t)
	addr, _ := startChat(t)
	resp, err := http.Get("http://" + addr + "/asyncapi.json")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /asyncapi.json: %s, Content-Type %q", resp.Status, resp.Header.Get("Content-Type"))
	}
	want, err := os.ReadFile(filepath.Join("chatapi", "asyncapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(body, want) {
		t.Fatal("/asyncapi.json is not chatapi/asyncapi.json")
	}
	for _, s := range []string{`"address": "/"`, `"name": "chat message"`, `"name": "set name"`, `"action": "receive"`, `"action": "send"`, `"reply"`} {
		if !strings.Contains(string(body), s) {
			t.Errorf("the document lacks %s", s)
		}
	}
	doc := filepath.Join(t.TempDir(), "chat.asyncapi.json")
	if err := os.WriteFile(doc, body, 0o644); err != nil {
		t.Fatal(err)
	}
	p := nodetest.Start(t, "asyncapi-validate.js", "", nil, doc)
	if err := p.Wait(60 * time.Second); err != nil || !strings.Contains(p.Output(), "valid") {
		t.Fatalf("%v\n%s", err, p.Output())
	}
}
