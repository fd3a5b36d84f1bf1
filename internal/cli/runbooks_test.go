package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/firebreak/firebreak/runbooks"
)

// A step-5 template naming a fact that does not exist fails validate (and so
// start-up, which loads the same way), naming the file and line.
func TestRunbooksValidateNamesATemplateWithAnUnknownFact(t *testing.T) {
	dir := t.TempDir()
	err := fs.WalkDir(runbooks.FS, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || name == "." {
			return err
		}
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(dir, name), 0o755)
		}
		data, err := fs.ReadFile(runbooks.FS, name)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := runHere("runbooks", "validate", dir); r.code != 0 {
		t.Fatalf("the shipped set copied: %+v", r)
	}
	file := filepath.Join(dir, "templates", "wrong-segment", "apology.txt")
	if err := os.WriteFile(file, []byte("Dear {{first_name|there}},\n\nSorry about [[ .OriginalSubjct ]].\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runHere("runbooks", "validate", dir)
	if want := file + ":3: [[ .OriginalSubjct ]] is not a fact"; r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Fatalf("validate: %+v\nwant exit 1 and %q", r, want)
	}
}
