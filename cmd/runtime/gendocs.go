//go:build gendocs

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/urfave/cli"
)

// The gendocs build (`go run -tags gendocs ./cmd/runtime gendocs ...`,
// what `make install` does) writes the man pages and the shell
// completions from the command definitions themselves, so they can never
// list a flag the binary does not have. The release binary leaves this out
// (and the markdown renderer with it): it is not needed at run time.
func init() {
	buildOnlyCommands = append(buildOnlyCommands, cli.Command{
		Name:   "gendocs",
		Hidden: true,
		Usage:  "write the man pages and shell completions",
		Flags: []cli.Flag{
			cli.StringFlag{Name: "man", Usage: "directory for the section 8 man pages"},
			cli.StringFlag{Name: "bash", Usage: "file for the bash completion"},
			cli.StringFlag{Name: "zsh", Usage: "file for the zsh completion"},
		},
		Action: func(ctx *cli.Context) error {
			app := newApp()
			if dir := ctx.String("man"); dir != "" {
				if err := writeManPages(app, dir); err != nil {
					return err
				}
			}
			if file := ctx.String("bash"); file != "" {
				if err := writeFile(file, bashCompletion(app)); err != nil {
					return err
				}
			}
			if file := ctx.String("zsh"); file != "" {
				if err := writeFile(file, zshCompletion(app)); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

func writeFile(path, text string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("make directory for %s: %w", path, err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// visibleCommands are the commands a user is meant to call, by name.
func visibleCommands(app *cli.App) []cli.Command {
	var cmds []cli.Command
	for _, c := range app.Commands {
		if !c.Hidden {
			cmds = append(cmds, c)
		}
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	return cmds
}

// flagNames are the spellings of a flag: "format, f" -> --format, -f.
func flagNames(f cli.Flag) []string {
	var names []string
	for _, n := range strings.Split(f.GetName(), ",") {
		n = strings.TrimSpace(n)
		if len(n) == 1 {
			names = append(names, "-"+n)
		} else if n != "" {
			names = append(names, "--"+n)
		}
	}
	return names
}

// flagHelp splits urfave/cli's help line of a flag into its synopsis
// ("--format value, -f value") and its description.
func flagHelp(f cli.Flag) (synopsis, usage string) {
	synopsis, usage, _ = strings.Cut(fmt.Sprint(f), "\t")
	return strings.TrimSpace(synopsis), strings.TrimSpace(usage)
}

func writeManPages(app *cli.App, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("make man directory: %w", err)
	}
	pages := map[string]string{"hull.8": mainPage(app)}
	for _, c := range visibleCommands(app) {
		pages["hull-"+c.Name+".8"] = commandPage(c)
	}
	for name, md := range pages {
		if err := os.WriteFile(filepath.Join(dir, name), md2man.Render([]byte(md)), 0o644); err != nil {
			return fmt.Errorf("write man page %s: %w", name, err)
		}
	}
	return nil
}

func optionsSection(b *strings.Builder, title string, flags []cli.Flag) {
	if len(flags) == 0 {
		return
	}
	fmt.Fprintf(b, "# %s\n\n", title)
	for _, f := range flags {
		synopsis, usage := flagHelp(f)
		fmt.Fprintf(b, "**%s**\n: %s\n\n", manEscape(synopsis), manEscape(usage))
	}
}

func mainPage(app *cli.App) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%% hull 8\n\n# NAME\n**hull** - low-level OCI container runtime, compatible with runc\n\n")
	fmt.Fprintf(&b, "# SYNOPSIS\n**hull** [_global options_] _command_ [_command options_] [_arguments_...]\n\n")
	fmt.Fprintf(&b, "# DESCRIPTION\n%s\n\n", manEscape(app.Usage))
	optionsSection(&b, "GLOBAL OPTIONS", app.Flags)
	fmt.Fprintf(&b, "# COMMANDS\n\n")
	for _, c := range visibleCommands(app) {
		fmt.Fprintf(&b, "**%s**\n: %s; see **hull-%s**(8).\n\n", c.Name, manEscape(c.Usage), c.Name)
	}
	return b.String()
}

func commandPage(c cli.Command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%% hull-%s 8\n\n# NAME\n**hull-%s** - %s\n\n", c.Name, c.Name, manEscape(c.Usage))
	fmt.Fprintf(&b, "# SYNOPSIS\n**hull %s** [_options_] %s\n\n", c.Name, manEscape(c.ArgsUsage))
	desc := c.Description
	if desc == "" {
		desc = c.Usage
	}
	fmt.Fprintf(&b, "# DESCRIPTION\n%s\n\n", manEscape(desc))
	optionsSection(&b, "OPTIONS", c.Flags)
	fmt.Fprintf(&b, "# SEE ALSO\n**hull**(8)\n")
	return b.String()
}

// manEscape keeps markdown from reading <id> as HTML or _x_ as emphasis.
func manEscape(s string) string {
	return strings.NewReplacer("<", "\\<", ">", "\\>", "_", "\\_", "*", "\\*").Replace(s)
}

// takesID: commands whose first argument is an existing container.
func takesID(c cli.Command) bool {
	return strings.HasPrefix(c.ArgsUsage, "<container-id>") && c.Name != "create" && c.Name != "run"
}

func bashCompletion(app *cli.App) string {
	var b strings.Builder
	b.WriteString("# bash completion for hull, generated from its command definitions.\n")
	b.WriteString("_hull() {\n\tlocal cur=${COMP_WORDS[COMP_CWORD]} i cmd=\n")
	b.WriteString("\tfor ((i = 1; i < COMP_CWORD; i++)); do\n\t\tcase ${COMP_WORDS[i]} in\n")
	b.WriteString("\t\t--root|--log|--log-format|--criu|--rootless) ((i++)) ;;\n")
	b.WriteString("\t\t-*) ;;\n\t\t*) cmd=${COMP_WORDS[i]}; break ;;\n\t\tesac\n\tdone\n")
	b.WriteString("\tcase $cmd in\n")
	var globals []string
	for _, f := range app.Flags {
		globals = append(globals, flagNames(f)...)
	}
	var names []string
	for _, c := range visibleCommands(app) {
		names = append(names, c.Name)
		var flags []string
		for _, f := range c.Flags {
			flags = append(flags, flagNames(f)...)
		}
		flags = append(flags, "--help")
		fmt.Fprintf(&b, "\t%s)\n\t\tif [[ $cur == -* ]]; then\n\t\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\"))\n", c.Name, strings.Join(flags, " "))
		if takesID(c) {
			b.WriteString("\t\telse\n\t\t\tCOMPREPLY=($(compgen -W \"$(hull list -q 2>/dev/null)\" -- \"$cur\"))\n")
		} else {
			b.WriteString("\t\telse\n\t\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n")
		}
		b.WriteString("\t\tfi ;;\n")
	}
	fmt.Fprintf(&b, "\t'')\n\t\tCOMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", strings.Join(append(globals, names...), " "))
	b.WriteString("\tesac\n}\ncomplete -F _hull hull\n")
	return b.String()
}

func zshCompletion(app *cli.App) string {
	var b strings.Builder
	b.WriteString("#compdef hull\n# zsh completion for hull, generated from its command definitions.\n\n")
	b.WriteString("_hull() {\n\tlocal -a commands\n\tcommands=(\n")
	for _, c := range visibleCommands(app) {
		fmt.Fprintf(&b, "\t\t%s\n", zshQuote(c.Name+":"+c.Usage))
	}
	b.WriteString("\t)\n\t_arguments -C \\\n")
	for _, f := range app.Flags {
		b.WriteString(zshFlagSpec(f))
	}
	b.WriteString("\t\t'1:command:->command' \\\n\t\t'*::arg:->args'\n")
	b.WriteString("\tcase $state in\n\tcommand) _describe -t commands 'hull command' commands ;;\n\targs)\n\t\tcase $words[1] in\n")
	for _, c := range visibleCommands(app) {
		fmt.Fprintf(&b, "\t\t%s) _arguments \\\n", c.Name)
		for _, f := range c.Flags {
			b.WriteString(zshFlagSpec(f))
		}
		if takesID(c) {
			b.WriteString("\t\t\t'1:container:($(hull list -q 2>/dev/null))' \\\n")
		}
		b.WriteString("\t\t\t'*:file:_files' ;;\n")
	}
	b.WriteString("\t\tesac ;;\n\tesac\n}\n\n_hull \"$@\"\n")
	return b.String()
}

func zshFlagSpec(f cli.Flag) string {
	_, usage := flagHelp(f)
	usage = strings.NewReplacer("[", "(", "]", ")", "'", "").Replace(usage)
	var b strings.Builder
	for _, n := range flagNames(f) {
		fmt.Fprintf(&b, "\t\t\t'%s[%s]' \\\n", n, usage)
	}
	return b.String()
}

func zshQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "'\\''") + "'"
}
