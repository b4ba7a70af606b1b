"""What a page shows for includes, runs and exec blocks: fixture sites built for real."""

from __future__ import annotations

from conftest import APP, executions, post, run_pytest, write_demo


def shown_lines(figure) -> list[str]:
    lines = []
    for line in figure.select(".line"):
        for gutter in line.select(".ln"):
            gutter.extract()
        lines.append(line.get_text())
    return lines


def test_include_selectors_and_options(site):
    write_demo(site, '''\
        Lead.

        ```python {file="app.py" region="greet" hl="2" linenos title="The greeting"}
        ```

        ```python {file="app.py" lines="11-13,18-"}
        ```

        ```python {file="app.py" pyobject="Zpark.handle"}
        ```

        ```python {file="app.py"}
        ```
        ''')
    report = site.build()
    assert report.ok, report.problems
    page = site.html("posts/demo/index.html")
    region, lines, pyobject, whole = page.select("figure.sample-include")
    assert region.figcaption.a.get_text() == "The greeting"
    assert region.figcaption.a["href"] == "app.py" and region.figcaption.a.has_attr("download")
    assert [n.get_text() for n in region.select(".ln")] == ["5", "6", "7"]
    assert shown_lines(region) == ['def greet(name):', '    """Say hello."""',
                                   '    return f"hello {name}"']
    assert [i for i, line in enumerate(region.select(".line"), 1) if "hll" in line["class"]] == [2]
    assert shown_lines(lines) == ["class Zpark:", "    @staticmethod", "    def handle(event):",
                                  "    print(greet(sys.argv[1]))",
                                  '    print("warning on stderr", file=sys.stderr)',
                                  '    print("last line")']
    assert shown_lines(pyobject) == ["@staticmethod", "def handle(event):",
                                     "    return event.upper()"]
    assert not any("ANCHOR" in line for line in shown_lines(whole))
    assert len(shown_lines(whole)) == APP.count("\n") - 2
    assert (site.output / "posts/demo/app.py").read_text() == APP
    assert not (site.output / "posts/demo/samples.frozen.json").exists()


def test_pyobject_matches_sphinx_for_decorated_methods(site):
    write_demo(site, '```python {file="app.py" pyobject="Zpark"}\n```\n')
    assert site.build().ok
    shown = shown_lines(site.html("posts/demo/index.html").select_one("figure.sample-include"))
    assert shown == APP.splitlines()[10:14]


def test_run_output_is_interleaved_and_the_temp_dir_is_a_placeholder(site):
    write_demo(site, '''\
        ```console {run="python app.py reader && pwd && echo $HOME $TZ $LANG"}
        ```
        ''')
    assert site.build().ok
    terminal = site.html("posts/demo/index.html").select_one("figure.sample-run")
    assert terminal.select_one(".command").get_text() == \
        "python app.py reader && pwd && echo $HOME $TZ $LANG"
    assert terminal.select_one(".output").get_text() == (
        "hello reader\nwarning on stderr\nlast line\n/tmp/sample/work\n"
        "/tmp/sample/home UTC C.UTF-8\n")
    assert "verified" not in terminal.get_text()  # provenance is the post's colophon
    assert terminal.select_one(".exit-status") is None


def test_declared_exit_status_is_shown(site):
    write_demo(site, '```console {run="echo no; exit 3" exit=3}\n```\n')
    assert site.build().ok
    page = site.html("posts/demo/index.html")
    assert page.select_one(".exit-status").get_text() == "exit status 3"


def test_sessions_share_a_directory_in_document_order(site):
    write_demo(site, '''\
        ```console {run="echo one > state.txt"}
        ```

        ```console {run="cat state.txt 2>&1; echo fresh" session="other"}
        ```

        ```python {exec}
        from pathlib import Path
        print(Path("state.txt").read_text().strip(), "then two")
        ```

        ```sh {exec session="other"}
        ls
        ```
        ''')
    assert site.build().ok
    outputs = [o.get_text() for o in site.html("posts/demo/index.html").select(".output")]
    assert outputs == ["cat: state.txt: No such file or directory\nfresh\n", "one then two\n",
                       "app.py\n"]


def test_masks_hide_variation_from_comparison_but_not_from_the_page(site):
    write_demo(site, '```console {run="date +%N" mask="\\\\d+"}\n```\n')
    assert site.build().ok
    digits = site.html("posts/demo/index.html").select_one(".output").get_text().strip()
    assert digits.isdigit()
    result = run_pytest(site)
    assert result.returncode == 0, result.stdout
    assert "1 passed" in result.stdout


def test_post_level_masks_and_bash_exec(site):
    site.write({"posts/demo/index.md": post("Demo", "2024-01-01", "code", '''\
        ```bash {exec}
        set -o pipefail
        echo "pid $$ and ${BASH_VERSINFO[0]}"
        ```
        ''', extra="Sample-Mask: pid \\d+\n")})
    assert site.build().ok
    output = site.html("posts/demo/index.html").select_one(".output").get_text()
    assert output.startswith("pid ") and output.split()[1].isdigit()
    result = run_pytest(site)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout


def test_a_python_block_imports_the_posts_modules(site):
    write_demo(site, '```python {exec}\nimport app\nprint(app.greet("block"))\n```\n')
    assert site.build().ok
    assert site.html("posts/demo/index.html").select_one(".output").get_text() == "hello block\n"


def write(site, body: str, slug: str = "demo", extra: dict | None = None):
    site.write({f"posts/{slug}/index.md": post(slug.title(), "2024-01-01", "code", body),
                f"posts/{slug}/app.py": "print('hello from app')\n", **(extra or {})})


def test_samples_in_list_items_and_quotes_run_in_place_and_comments_are_inert(site):
    write(site, '''\
        Lead.

        1. First, run the app:

            ```console {run="python app.py"}
            ```

        2. Then look around.

        > ```console {run="echo quoted"}
        > ```

        <!--
        ```console {run="echo commented-out > witness"}
        ```
        -->
        ''')
    with executions() as ran:
        report = site.build()
    assert report.ok, report.problems
    assert ran == ["content/posts/demo/index.md:9", "content/posts/demo/index.md:14"]
    page = site.html("posts/demo/index.html")
    item = page.select_one("ol > li figure.sample-run")
    assert item is not None and "hello from app" in item.get_text()
    quoted = page.select_one("blockquote figure.sample-run")
    assert quoted is not None and "quoted" in quoted.get_text()
    assert "commented-out" not in page.select_one("article").get_text()
    assert "{run=" not in page.select_one("article").get_text()


def test_identical_samples_in_lists_and_quotes_each_render_in_place(site):
    write(site, '''\
        Lead.

        ```console {run="echo same"}
        ```

        ```python {file="app.py"}
        ```

        1. Again, in a list:

            ```console {run="echo same"}
            ```

            ```python {file="app.py"}
            ```

        > ```console {run="echo same"}
        > ```
        ''')
    report = site.build()
    assert report.ok, report.problems
    page = site.html("posts/demo/index.html")
    assert len(page.select("ol > li figure.sample-run")) == 1
    assert len(page.select("ol > li figure.sample-include")) == 1
    assert len(page.select("blockquote figure.sample-run")) == 1
    assert len(page.select("figure.sample-run")) == 3
    assert "<!--sample" not in (site.output / "posts/demo/index.html").read_text()


def test_inline_values_render_recorded_figures_as_plain_text(site):
    write(site, '''\
        Lead.

        ```console {run="printf 'requests: 2000\\nholes: 17\\n'" id="drive"}
        ```

        The run lost `{=drive /holes: (\\d+)/}` of `{=drive /requests: (\\d+)/}` requests.
        ''')
    report = site.build()
    assert report.ok, report.problems
    paragraph = site.html("posts/demo/index.html").find("p", string=lambda s: s and "lost" in s)
    assert paragraph is not None and paragraph.get_text() == "The run lost 17 of 2000 requests."
    result = run_pytest(site)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout


def test_values_in_prose_without_backticks_render_and_an_escaped_one_stays_literal(site):
    write(site, '''\
        Lead.

        ```console {run="printf 'count: 30\\n'" id="thirty"}
        ```

        It counted {=thirty /count: (\\d+)/} items.

        1. In a list: {=thirty /count: (\\d+)/} again.

        Write \\{=thirty /count: (\\d+)/} to quote the count.
        ''')
    report = site.build()
    assert report.ok, report.problems
    page = site.html("posts/demo/index.html")
    texts = [p.get_text() for p in page.select("article p, article li")]
    assert "It counted 30 items." in texts
    assert "In a list: 30 again." in texts
    assert "Write {=thirty /count: (\\d+)/} to quote the count." in texts
