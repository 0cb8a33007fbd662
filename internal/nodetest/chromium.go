package nodetest

import (
	"os"
	"os/exec"
	"testing"

	"github.com/siogen/siogen/internal/testutil"
)

// Chromium returns the path of the Chromium that the browser tests drive
// (playwright-core's executablePath): $CHROMIUM_PATH, else /usr/bin/chromium
// (Debian's package), else chromium on $PATH. A missing browser fails the
// test under CI=true and skips it otherwise.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	} else if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	} else if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	msg := "chromium is not installed (run scripts/test.sh, or: apt-get install chromium)"
	testutil.Missing(t, msg)
	return ""
}
