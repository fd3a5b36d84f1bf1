package cli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/firebreak/firebreak/domain/audit"
	"github.com/firebreak/firebreak/domain/auth"
	"github.com/firebreak/firebreak/domain/user"
)

func userService(e env) (*user.Service, func(), error) {
	st, _, err := openStore(e)
	if err != nil {
		return nil, nil, err
	}
	return user.NewService(st, user.DefaultLimits, 12*time.Hour, nil), func() { st.Close() }, nil
}

type userAddFlags struct {
	email, name, roles string
	passwordStdin      bool
}

func userCommand() *command {
	return &command{
		name:    "user",
		summary: "Add, list, disable and re-role the people who use Firebreak.",
		subs: []*command{
			{
				name: "add", summary: "Add a user with roles (marketer, legal, security, admin). Without --password-stdin the user can only use API tokens.",
				usage: "--email E --name N --roles r1,r2 [--password-stdin]",
				flags: func(fs *flag.FlagSet) any {
					f := &userAddFlags{}
					fs.StringVar(&f.email, "email", "", "the user's email address (unique, case-insensitive)")
					fs.StringVar(&f.name, "name", "", "the user's name as the dashboard shows it")
					fs.StringVar(&f.roles, "roles", "", "comma-separated roles: marketer, legal, security, admin")
					fs.BoolVar(&f.passwordStdin, "password-stdin", false, "read the sign-in password from the first line of standard input")
					return f
				},
				run: func(e env, fs *flag.FlagSet, opts any) error {
					f := opts.(*userAddFlags)
					if f.email == "" || f.name == "" || f.roles == "" {
						return &usageError{"--email, --name and --roles are required"}
					}
					var pw string
					if f.passwordStdin {
						line, err := bufio.NewReader(e.stdin).ReadString('\n')
						if err != nil && !errors.Is(err, io.EOF) {
							return fmt.Errorf("read password: %w", err)
						}
						if pw = strings.TrimRight(line, "\r\n"); pw == "" {
							return &usageError{"--password-stdin: standard input held no password"}
						}
					}
					svc, done, err := userService(e)
					if err != nil {
						return err
					}
					defer done()
					u, err := svc.AddUser(e.ctx, audit.CLI, user.NewUser{Email: f.email, Name: f.name,
						Roles: []string{f.roles}, Password: pw})
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "added user %s (%s) with roles %s\n", u.Email, u.ID, strings.Join(auth.Strings(u.Roles), ","))
					return nil
				},
			},
			userChangeCommand("disable", "Disable a user (offboarding): they cannot sign in, and all their sessions and API tokens end at once.",
				func(*userChangeFlags) (user.Change, error) { yes := true; return user.Change{Disabled: &yes}, nil }),
			userChangeCommand("enable", "Enable a disabled user again (tokens revoked by the disable stay revoked).",
				func(*userChangeFlags) (user.Change, error) { no := false; return user.Change{Disabled: &no}, nil }),
			userChangeCommand("roles", "Replace a user's roles (marketer, legal, security, admin); it takes effect on their next request.",
				func(f *userChangeFlags) (user.Change, error) {
					if f.roles == "" {
						return user.Change{}, &usageError{"--roles is required"}
					}
					roles := []string{f.roles}
					return user.Change{Roles: &roles}, nil
				}),
			{
				name: "list", summary: "List users with their roles.",
				run: func(e env, _ *flag.FlagSet, _ any) error {
					svc, done, err := userService(e)
					if err != nil {
						return err
					}
					defer done()
					us, err := svc.ListUsers(e.ctx)
					if err != nil {
						return err
					}
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "EMAIL\tNAME\tROLES\tPASSWORD\tID\tDISABLED")
					for _, u := range us {
						disabled := "-"
						if !u.Active() {
							disabled = "disabled " + fmtTime(u.DisabledAt)
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%v\t%s\t%s\n", u.Email, u.Name, strings.Join(auth.Strings(u.Roles), ","), u.HasPassword, u.ID, disabled)
					}
					return tw.Flush()
				},
			},
		},
	}
}

type userChangeFlags struct{ email, roles string }

// userChangeCommand is `user disable|enable|roles --email E`: change builds the
// user.Change from the flags. The last active admin cannot be disabled or
// demoted (add another admin first).
func userChangeCommand(name, summary string, change func(*userChangeFlags) (user.Change, error)) *command {
	usage := "--email E"
	if name == "roles" {
		usage += " --roles r1,r2"
	}
	return &command{
		name: name, summary: summary, usage: usage,
		flags: func(fs *flag.FlagSet) any {
			f := &userChangeFlags{}
			fs.StringVar(&f.email, "email", "", "the user's email address")
			if name == "roles" {
				fs.StringVar(&f.roles, "roles", "", "comma-separated roles that replace the current ones: marketer, legal, security, admin")
			}
			return f
		},
		run: func(e env, _ *flag.FlagSet, opts any) error {
			f := opts.(*userChangeFlags)
			if f.email == "" {
				return &usageError{"--email is required"}
			}
			ch, err := change(f)
			if err != nil {
				return err
			}
			svc, done, err := userService(e)
			if err != nil {
				return err
			}
			defer done()
			u, err := svc.UpdateUserByEmail(e.ctx, audit.CLI, f.email, ch)
			if err != nil {
				return err
			}
			state := "enabled"
			if !u.Active() {
				state = "disabled"
			}
			fmt.Fprintf(e.stdout, "%s user %s (%s) with roles %s\n", state, u.Email, u.ID, strings.Join(auth.Strings(u.Roles), ","))
			return nil
		},
	}
}

type tokenFlags struct{ email, name, id string }

func tokenCommand() *command {
	return &command{
		name:    "token",
		summary: "Create, list and revoke API tokens (only a SHA-256 of each token is stored).",
		subs: []*command{
			{
				name: "create", summary: "Create an API token for a user; the token is printed once, alone on the last line of standard output.",
				usage: "--email E [--name N]",
				flags: func(fs *flag.FlagSet) any {
					f := &tokenFlags{}
					fs.StringVar(&f.email, "email", "", "the user the token acts as")
					fs.StringVar(&f.name, "name", "", "what the token is for, e.g. ci or zapier")
					return f
				},
				run: func(e env, _ *flag.FlagSet, opts any) error {
					f := opts.(*tokenFlags)
					if f.email == "" {
						return &usageError{"--email is required"}
					}
					svc, done, err := userService(e)
					if err != nil {
						return err
					}
					defer done()
					tok, secret, err := svc.CreateToken(e.ctx, audit.CLI, f.email, f.name)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stderr, "created token %s for %s; it is shown once, store it now\n", tok.ID, f.email)
					fmt.Fprintln(e.stdout, secret)
					return nil
				},
			},
			{
				name: "list", summary: "List a user's tokens (prefix, created, last used, revoked).",
				usage: "--email E",
				flags: func(fs *flag.FlagSet) any {
					f := &tokenFlags{}
					fs.StringVar(&f.email, "email", "", "whose tokens")
					return f
				},
				run: func(e env, _ *flag.FlagSet, opts any) error {
					f := opts.(*tokenFlags)
					if f.email == "" {
						return &usageError{"--email is required"}
					}
					svc, done, err := userService(e)
					if err != nil {
						return err
					}
					defer done()
					toks, err := svc.ListTokens(e.ctx, f.email)
					if err != nil {
						return err
					}
					tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tPREFIX\tNAME\tCREATED\tLAST USED\tREVOKED\tBY")
					for _, t := range toks {
						fmt.Fprintf(tw, "%s\t%s…\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Prefix, t.Name,
							t.CreatedAt.Format(time.RFC3339), fmtTime(t.LastUsedAt), fmtTime(t.RevokedAt), t.CreatedBy)
					}
					return tw.Flush()
				},
			},
			{
				name: "revoke", summary: "Revoke an API token by id; requests with it then get 401.",
				usage: "--id ID",
				flags: func(fs *flag.FlagSet) any {
					f := &tokenFlags{}
					fs.StringVar(&f.id, "id", "", "the token's id (see token list)")
					return f
				},
				run: func(e env, _ *flag.FlagSet, opts any) error {
					f := opts.(*tokenFlags)
					if f.id == "" {
						return &usageError{"--id is required"}
					}
					svc, done, err := userService(e)
					if err != nil {
						return err
					}
					defer done()
					tok, err := svc.RevokeToken(e.ctx, audit.CLI, f.id)
					if err != nil {
						return err
					}
					fmt.Fprintf(e.stdout, "revoked token %s (%s…) at %s\n", tok.ID, tok.Prefix, fmtTime(tok.RevokedAt))
					return nil
				},
			},
		},
	}
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}
