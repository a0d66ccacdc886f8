"""Every SQL statement is parameterised: a scan of the source for SQL built from values."""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


# ===== every SQL statement is parameterised (static scan) ====================================
#
# The scan follows the SQL argument of every database call in the scanned packages back to
# where its text comes from, through local variables, module constants, class attributes,
# tuple unpacking, lists grown with append/extend, loops over literal tuples, helper
# functions' return values and function parameters (every call site in the packages is
# checked). SQL text may only be made of:
#   - string literals (and numbers);
#   - concatenation, f-strings and ``sep.join(...)`` of SQL text, or a choice (``a if c else
#     b``) between SQL text;
#   - placeholder runs: ``"?" * n`` and ``sep.join("?" for _ in xs)``;
#   - ``int(...)`` / ``len(...)`` (a number cannot carry SQL).
# Anything else (``%``/``.format`` with values, ``str(x)``, attributes of records, a parameter
# some caller fills with other text) fails. The one escape hatch is a ``# sql: constant``
# comment on the line: it allows a bare name or dotted attribute (never a call, subscript or
# expression) that the scan cannot follow, e.g. a table name from a constant the scan does not
# model; the person adding it vouches that the name never holds user input. A marker that is
# not needed is reported too, so the allow-list stays as short as the code needs.

SQL_PACKAGES = ("kb", "quizzes", "ingest", "app_pages")
SQL_MARKER = "# sql: constant"
SQL_METHODS = {"execute", "executemany", "executescript", "execute_returning_dicts"}
# Names sqlite-utils shares with unrelated objects (an embedder has .query too): these only
# count on a receiver named like a connection.
SQLITE_UTILS_METHODS = {"query": "sql", "rows_where": "where", "count_where": "where",
                        "delete_where": "where"}
DB_RECEIVERS = {"db", "conn", "connection", "database", "cursor", "cur"}
NUMERIC_CALLS = {"int", "len", "float"}
CONTAINER_CALLS = {"list", "tuple", "sorted", "set"}


@dataclass
class Module:
    """One parsed source file: its tree, its lines with a marker, module-level bindings."""

    path: Path
    tree: ast.Module
    marker_lines: set[int]
    globals: dict[str, list[ast.expr]] = field(default_factory=dict)
    classes: dict[str, dict[str, list[ast.expr]]] = field(default_factory=dict)


@dataclass
class Scope:
    """Where an expression is evaluated: a function (or module) with its local bindings."""

    module: Module
    func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None = None
    cls: str | None = None
    locals: dict[str, list[Binding]] = field(default_factory=dict)
    adds: dict[str, list[Value]] = field(default_factory=dict)  # list.append / extend
    parent: Scope | None = None


@dataclass
class Value:
    """An expression in its scope; ``index`` picks one element of a tuple-valued expression."""

    expr: ast.expr
    scope: Scope
    index: int | None = None


@dataclass
class Binding:
    """What a name is bound to: a value, an element of an iterable, or a parameter."""

    kind: str  # "value", "element" (loop / comprehension target) or "param"
    value: Value | None = None
    param: str = ""


def _marker_lines(source: str) -> set[int]:
    lines = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and tok.string.strip() == SQL_MARKER:
            lines.add(tok.start[0])
    return lines


class SqlScan:
    """The scan over a set of source files; ``problems`` lists every unsafe SQL argument."""

    def __init__(self, paths: list[Path]) -> None:
        self.modules = []
        for path in paths:
            source = path.read_text(encoding="utf-8")
            module = Module(path, ast.parse(source, str(path)), _marker_lines(source))
            self._index_module(module)
            self.modules.append(module)
        self.tops: dict[Path, Scope] = {}
        self.functions: dict[str, list[tuple[ast.FunctionDef, Scope]]] = {}
        self.calls: dict[str, list[tuple[ast.Call, Scope]]] = {}
        self.scopes: dict[int, Scope] = {}  # id(function node) -> its scope
        for module in self.modules:
            self._index_scopes(module)
        self.problems: list[str] = []
        self.sql_calls = 0
        self.used_markers: set[tuple[Path, int]] = set()
        self.problem_lines: set[tuple[Path, int]] = set()
        self._busy: set[tuple[int, int, int | None, str]] = set()

    # ----- indexing ---------------------------------------------------------------------

    @staticmethod
    def _assign_targets(node: ast.stmt) -> list[tuple[ast.expr, ast.expr]]:
        if isinstance(node, ast.Assign):
            return [(t, node.value) for t in node.targets]
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            return [(node.target, node.value)]
        return []

    def _index_module(self, module: Module) -> None:
        for node in module.tree.body:
            for target, value in self._assign_targets(node):
                if isinstance(target, ast.Name):
                    module.globals.setdefault(target.id, []).append(value)
            if isinstance(node, ast.ClassDef):
                attrs = module.classes.setdefault(node.name, {})
                for item in node.body:
                    for target, value in self._assign_targets(item):
                        if isinstance(target, ast.Name):
                            attrs.setdefault(target.id, []).append(value)

    def _index_scopes(self, module: Module) -> None:
        top = self.tops[module.path] = Scope(module)
        self._bind_body(top, module.tree.body)

        def visit(node: ast.AST, scope: Scope, cls: str | None) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.ClassDef):
                    visit(child, scope, child.name)
                elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                    inner = Scope(module, child, cls, parent=scope)
                    args = child.args
                    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
                        inner.locals[arg.arg] = [Binding("param", param=arg.arg)]
                    for arg in (args.vararg, args.kwarg):
                        if arg is not None:  # *args / **kwargs: never SQL text
                            inner.locals[arg.arg] = [Binding("param", param="*")]
                    body = child.body if isinstance(child.body, list) else []
                    self._bind_body(inner, body)
                    self.scopes[id(child)] = inner
                    if not isinstance(child, ast.Lambda):
                        self.functions.setdefault(child.name, []).append((child, inner))
                    visit(child, inner, None)
                else:
                    if isinstance(child, ast.Call):
                        name = _call_name(child)
                        if name:
                            self.calls.setdefault(name, []).append((child, scope))
                    visit(child, scope, cls)

        visit(module.tree, top, None)

    def _bind_body(self, scope: Scope, body: list[ast.stmt]) -> None:
        """Record the bindings made directly in a body (not in nested functions)."""
        stack: list[ast.AST] = list(body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                          | ast.ClassDef):
                continue
            if scope.func is not None or isinstance(node, ast.stmt):
                self._bind_node(scope, node)
            stack.extend(ast.iter_child_nodes(node))

    def _bind_node(self, scope: Scope, node: ast.AST) -> None:
        def bind(target: ast.expr, value: Value | None, kind: str = "value") -> None:
            if isinstance(target, ast.Starred):
                target = target.value
            if isinstance(target, ast.Name):
                scope.locals.setdefault(target.id, []).append(Binding(kind, value))
            elif isinstance(target, ast.Tuple | ast.List):
                for i, elt in enumerate(target.elts):
                    if value is None or value.index is not None:  # nested unpacking
                        bind(elt, None, "opaque")
                    else:
                        bind(elt, Value(value.expr, value.scope, i), kind)

        if scope.func is None and isinstance(node, ast.Assign | ast.AnnAssign):
            return  # module level: kept in Module.globals
        for target, value in self._assign_targets(node) if isinstance(node, ast.stmt) else []:
            bind(target, Value(value, scope))
        if isinstance(node, ast.AugAssign | ast.NamedExpr):  # sql += "…" adds a piece
            bind(node.target, Value(node.value, scope))
        elif isinstance(node, ast.For | ast.AsyncFor):
            bind(node.target, Value(node.iter, scope), "element")
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if item.optional_vars is not None:
                    bind(item.optional_vars, None, "opaque")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.args and \
                node.func.attr in ("append", "extend", "insert"):
            # Items added to a list: append/insert add one, extend adds every item of its
            # argument (marked with Starred, as in [*items]).
            item = node.args[-1]
            added = ast.Starred(item) if node.func.attr == "extend" else item
            scope.adds.setdefault(node.func.value.id, []).append(Value(added, scope))

    # ----- the check ------------------------------------------------------------------------

    def run(self) -> SqlScan:
        for module in self.modules:
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Subscript) and _receiver(node.value) in DB_RECEIVERS:
                    # db["table"]: a table name cannot be a parameter, so it must be constant
                    self._check_sql(node.slice, module, node, "table name")
                if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                    continue
                method = node.func.attr
                keyword = {**{m: "sql" for m in SQL_METHODS}, **SQLITE_UTILS_METHODS}.get(method)
                if keyword is None:
                    continue
                if method in SQLITE_UTILS_METHODS and _receiver(node.func.value) not in \
                        DB_RECEIVERS:
                    continue
                sql = node.args[0] if node.args else next(
                    (k.value for k in node.keywords if k.arg == keyword), None)
                if sql is None:
                    continue
                self._check_sql(sql, module, node, f".{method}()")
        self.problems = list(dict.fromkeys(self.problems))
        for module in self.modules:
            for line in sorted(module.marker_lines):
                if (module.path, line) not in self.used_markers | self.problem_lines:
                    self.problems.append(f"{self._where(module, line)}: '{SQL_MARKER}' "
                                         "is not needed here; remove it")
        return self

    def _check_sql(self, sql: ast.expr, module: Module, call: ast.AST, what: str) -> None:
        self.sql_calls += 1
        scope = self._scope_of(module, call)
        for problem in self.text(Value(sql, scope)):
            self.problem_lines.add((module.path, call.lineno))
            self.problems.append(f"{self._where(module, call.lineno)} {what}: {problem}")

    def _scope_of(self, module: Module, node: ast.AST) -> Scope:
        """The innermost function scope around node (or the module's)."""
        best: Scope | None = None
        for scope in self.scopes.values():
            func = scope.func
            if scope.module is module and func is not None and \
                    func.lineno <= node.lineno <= (func.end_lineno or func.lineno):
                if best is None or func.lineno >= best.func.lineno:  # type: ignore[union-attr]
                    best = scope
        return best if best is not None else self.tops[module.path]

    @staticmethod
    def _where(module: Module, line: int) -> str:
        try:
            name = module.path.relative_to(REPO_ROOT)
        except ValueError:
            name = module.path
        return f"{name}:{line}"

    def _marked(self, value: Value) -> bool:
        """A bare name or dotted attribute on a line carrying the marker (the escape hatch)."""
        node = value.expr
        while isinstance(node, ast.Attribute):
            node = node.value
        if not isinstance(node, ast.Name):
            return False
        module = value.scope.module
        lines = range(value.expr.lineno, (value.expr.end_lineno or value.expr.lineno) + 1)
        hit = [line for line in lines if line in module.marker_lines]
        for line in hit:
            self.used_markers.add((module.path, line))
        return bool(hit)

    def text(self, value: Value) -> list[str]:
        """Problems with value as SQL text ([] when it can only hold SQL text we wrote)."""
        key = (id(value.expr), id(value.scope), value.index, "text")
        if key in self._busy:
            return []  # a cycle (e.g. sql += ...): the other bindings are checked
        self._busy.add(key)
        try:
            problems = self._text(value)
        finally:
            self._busy.discard(key)
        if problems and self._marked(value):
            return []
        return problems

    def _text(self, value: Value) -> list[str]:
        node, scope = value.expr, value.scope
        where = f"line {getattr(node, 'lineno', '?')}"
        if value.index is not None:
            return self._pick(value, self.text)
        if isinstance(node, ast.Constant):
            return [] if isinstance(node.value, str | int | float) else \
                [f"{where}: {node.value!r} is not SQL text"]
        if isinstance(node, ast.JoinedStr):
            return [p for part in node.values if isinstance(part, ast.FormattedValue)
                    for p in self.text(Value(part.value, scope))]
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Add):
                return self.text(Value(node.left, scope)) + self.text(Value(node.right, scope))
            if isinstance(node.op, ast.Mult) and (_question_marks(node.left)
                                                  or _question_marks(node.right)):
                return []  # "?" * n: placeholders only, whatever n is
            if isinstance(node.op, ast.Mod):
                args = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
                problems = self.text(Value(node.left, scope))
                problems += [p for a in args for p in self.text(Value(a, scope))]
                return [f"{where}: %-formatting with a value that is not constant"] \
                    if problems else []
            return [f"{where}: {ast.unparse(node)} is not SQL text"]
        if isinstance(node, ast.IfExp):
            return self.text(Value(node.body, scope)) + self.text(Value(node.orelse, scope))
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in NUMERIC_CALLS:
                return []
            if isinstance(func, ast.Attribute) and func.attr == "join" and len(node.args) == 1:
                problems = self.text(Value(func.value, scope))
                items, problems2 = self.elements(Value(node.args[0], scope))
                problems += problems2
                problems += [p for item in items for p in self.text(item)]
                return problems
            if isinstance(func, ast.Attribute) and func.attr == "format":
                problems = self.text(Value(func.value, scope))
                problems += [p for a in [*node.args, *(k.value for k in node.keywords)]
                             for p in self.text(Value(a, scope))]
                return [f"{where}: .format() with a value that is not constant"] \
                    if problems else []
            return [f"{where}: {ast.unparse(node)} is not known to return SQL text"]
        if isinstance(node, ast.Name):
            return self._name(node, scope, self.text)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope, self.text)
        return [f"{where}: {ast.unparse(node)} is not SQL text"]

    def elements(self, value: Value) -> tuple[list[Value], list[str]]:
        """The items an iterable expression yields (for join), or problems."""
        node, scope = value.expr, value.scope
        where = f"line {getattr(node, 'lineno', '?')}"
        if value.index is not None:
            items: list[Value] = []
            problems = self._pick(value, lambda v: _collect(self.elements(v), items))
            return items, problems
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items, problems = [], []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    sub, subp = self.elements(Value(elt.value, scope))
                    items += sub
                    problems += subp
                else:
                    items.append(Value(elt, scope))
            return items, problems
        if isinstance(node, ast.Starred):
            return self.elements(Value(node.value, scope))
        if isinstance(node, ast.GeneratorExp | ast.ListComp | ast.SetComp):
            inner = Scope(scope.module, scope.func, scope.cls, parent=scope)
            for gen in node.generators:
                self._bind_target(inner, gen.target, Value(gen.iter, inner))
            return [Value(node.elt, inner)], []
        if isinstance(node, ast.Constant | ast.BinOp | ast.JoinedStr):
            return [], self.text(value)  # the characters of SQL text
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in CONTAINER_CALLS and len(node.args) == 1:
            return self.elements(Value(node.args[0], scope))
        if isinstance(node, ast.Name):
            items = []
            problems = self._name(node, scope, lambda v: _collect(self.elements(v), items))
            for add in self._adds(node.id, scope):
                if isinstance(add.expr, ast.Starred):
                    sub, subp = self.elements(Value(add.expr.value, add.scope))
                    items += sub
                    problems += subp
                else:
                    items.append(add)
            return items, problems
        if isinstance(node, ast.Attribute):
            items = []
            problems = self._attribute(node, scope, lambda v: _collect(self.elements(v), items))
            return items, problems
        return [], [f"{where}: cannot tell what {ast.unparse(node)} holds"]

    def _bind_target(self, scope: Scope, target: ast.expr, iterable: Value) -> None:
        if isinstance(target, ast.Name):
            scope.locals.setdefault(target.id, []).append(Binding("element", iterable))
        elif isinstance(target, ast.Tuple | ast.List):
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ast.Name):
                    scope.locals.setdefault(elt.id, []).append(
                        Binding("element", Value(iterable.expr, iterable.scope, i)))

    def _adds(self, name: str, scope: Scope | None) -> list[Value]:
        while scope is not None:
            if name in scope.locals or name in scope.adds:
                return scope.adds.get(name, [])
            scope = scope.parent
        return []

    def _pick(self, value: Value, check) -> list[str]:
        """Check element ``value.index`` of a tuple-valued expression."""
        node, scope, index = value.expr, value.scope, value.index
        assert index is not None
        if isinstance(node, ast.Tuple | ast.List):
            if index < len(node.elts) and not any(isinstance(e, ast.Starred) for e in node.elts):
                return check(Value(node.elts[index], scope))
        elif isinstance(node, ast.IfExp):
            return self._pick(Value(node.body, scope, index), check) + \
                self._pick(Value(node.orelse, scope, index), check)
        elif isinstance(node, ast.Name):
            def pick(bound: Value) -> list[str]:
                if bound.index is not None:
                    return [f"line {node.lineno}: nested unpacking is not followed"]
                return self._pick(Value(bound.expr, bound.scope, index), check)

            return self._name(node, scope, pick)
        elif isinstance(node, ast.Call) and (name := _call_name(node)) in self.functions:
            problems = []
            for func, fscope in self.functions[name]:
                returns = [n for n in ast.walk(func) if isinstance(n, ast.Return)]
                if not returns:
                    problems.append(f"line {node.lineno}: {name}() returns nothing")
                for ret in returns:
                    if ret.value is None:
                        problems.append(f"line {ret.lineno}: {name}() returns None")
                    else:
                        problems += self._pick(Value(ret.value, fscope, index), check)
            return problems
        return [f"line {node.lineno}: cannot tell what {ast.unparse(node)} holds"]

    def _name(self, node: ast.Name, scope: Scope, check) -> list[str]:
        """Check every value a name may hold where it is used."""
        search: Scope | None = scope
        while search is not None:
            if node.id in search.locals:
                problems = []
                for binding in search.locals[node.id]:
                    problems += self._binding(node, search, binding, check)
                return problems
            if node.id in search.adds:
                return []  # a list that is only appended to: its items are checked by the caller
            search = search.parent
        module = scope.module
        if node.id in module.globals:
            top = Scope(module)
            return [p for v in module.globals[node.id] for p in check(Value(v, top))]
        for other in self.modules:  # imported constant
            if node.id in other.globals:
                top = Scope(other)
                return [p for v in other.globals[node.id] for p in check(Value(v, top))]
        return [f"line {node.lineno}: cannot tell what {node.id} holds"]

    def _binding(self, node: ast.Name, scope: Scope, binding: Binding, check) -> list[str]:
        if binding.kind == "value":
            assert binding.value is not None
            return check(binding.value)
        if binding.kind == "element":
            assert binding.value is not None
            source = binding.value
            items, problems = self.elements(Value(source.expr, source.scope))
            for item in items:
                problems += check(item if source.index is None else
                                  Value(item.expr, item.scope, source.index))
            return problems
        if binding.kind == "param":
            return self._param(node, scope, binding.param, check)
        return [f"line {node.lineno}: cannot tell what {node.id} holds"]

    def _param(self, node: ast.Name, scope: Scope, param: str, check) -> list[str]:
        """A parameter is SQL text if every call in the scanned packages passes SQL text."""
        func = scope.func
        if param == "*" or not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            return [f"line {node.lineno}: {node.id} comes from outside"]
        args = func.args
        positional = [a.arg for a in [*args.posonlyargs, *args.args]]
        method = bool(scope.cls) and positional[:1] in (["self"], ["cls"])
        defaults = dict(zip(positional[::-1], args.defaults[::-1], strict=False))
        defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults,
                                                  strict=True) if d is not None})
        calls = self.calls.get(func.name, [])
        if not calls:
            return [f"line {node.lineno}: {node.id} is a parameter of {func.name}(), "
                    "which nothing in the scanned packages calls"]
        problems = []
        for call, caller in calls:
            if any(isinstance(a, ast.Starred) for a in call.args) or \
                    any(k.arg is None for k in call.keywords):
                problems.append(f"{self._where(caller.module, call.lineno)}: "
                                f"{func.name}(*args/**kwargs)")
                continue
            given = dict(zip(positional[1:] if method else positional, call.args,
                             strict=False))
            given.update({k.arg: k.value for k in call.keywords if k.arg})
            if param in given:
                problems += [f"{p} (via {self._where(caller.module, call.lineno)})"
                             for p in check(Value(given[param], caller))]
            elif param in defaults:
                problems += check(Value(defaults[param], self._scope_of(scope.module, func)))
        return problems

    def _attribute(self, node: ast.Attribute, scope: Scope, check) -> list[str]:
        """``self.X`` / ``cls.X`` / ``Class.X``: a class attribute of this module."""
        owner = node.value
        classes = scope.module.classes
        name = None
        if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
            name = scope.cls or _enclosing_class(scope)
        elif isinstance(owner, ast.Name) and owner.id in classes:
            name = owner.id
        if name and node.attr in classes.get(name, {}):
            top = Scope(scope.module, cls=name)
            return [p for v in classes[name][node.attr] for p in check(Value(v, top))]
        return [f"line {node.lineno}: cannot tell what {ast.unparse(node)} holds"]


def _enclosing_class(scope: Scope) -> str | None:
    while scope is not None:
        if scope.cls:
            return scope.cls
        scope = scope.parent  # type: ignore[assignment]
    return None


def _collect(result: tuple[list[Value], list[str]], items: list[Value]) -> list[str]:
    items.extend(result[0])
    return result[1]


def _question_marks(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and \
        bool(node.value) and set(node.value) <= set("?, ")


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _receiver(node: ast.expr) -> str | None:
    """The last name of a call's receiver: ``db`` in ``db.x``, ``conn`` in ``db.conn.x``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _receiver(node.func)
    if isinstance(node, ast.Subscript):  # db["table"].rows_where(...)
        return _receiver(node.value)
    return None


def scan_sql(paths: list[Path]) -> SqlScan:
    """Scan these files (as one program: calls across them are followed)."""
    return SqlScan(paths).run()


def package_sources() -> list[Path]:
    return sorted(p for pkg in SQL_PACKAGES for p in (REPO_ROOT / pkg).rglob("*.py"))


def test_every_sql_statement_is_parameterised() -> None:
    scan = scan_sql(package_sources())
    assert scan.sql_calls > 100  # the scan does see the database calls
    assert not scan.problems, "\n".join(scan.problems)


SCAN_CASES = {
    # name: (source, expected problem count); `db`, `user` and `names` come from outside.
    "literal": ('def f(db, user):\n    db.execute("SELECT * FROM t WHERE a = ?", [user])\n', 0),
    "f-string with input": ('def f(db, user):\n    db.execute(f"SELECT * FROM t WHERE a = \'{user}\'")\n', 1),
    "percent": ('def f(db, user):\n    db.execute("SELECT * FROM t WHERE a = \'%s\'" % user)\n', 1),
    "format": ('def f(db, user):\n    db.conn.execute("SELECT {}".format(user))\n', 1),
    "concatenation": ('def f(db, user):\n    sql = "SELECT * FROM t WHERE a = "\n    sql += user\n    db.query(sql)\n', 1),
    "placeholders": ('def f(db, names):\n    marks = ", ".join("?" for _ in names)\n'
                     '    db.execute(f"SELECT * FROM t WHERE a IN ({marks})", names)\n'
                     '    db.execute(f"SELECT * FROM t WHERE a IN ({\',\'.join(\'?\' * len(names))})", names)\n', 0),
    "constants": ('COLS = ("a", "b")\nSQL = f"SELECT {\', \'.join(COLS)} FROM t"\n'
                  'def f(db):\n    db.execute(SQL + " ORDER BY a")\n', 0),
    "where list": ('def f(db, user, flag):\n    where = []\n    if flag:\n        where.append("a = ?")\n'
                   '    where.append(user)\n    db.execute("SELECT * FROM t WHERE " + " AND ".join(where))\n', 1),
    "loop over literals": ('def f(db, rule):\n    where = []\n    for column, values in (("a", rule.x), ("b", rule.y)):\n'
                           '        where.append(f"{column} IN ({\', \'.join(\'?\' * len(values))})")\n'
                           '    db.execute("SELECT * FROM t WHERE " + " AND ".join(where))\n', 0),
    "parameter, safe callers": ('def g(db, where):\n    db.execute(f"SELECT * FROM t WHERE {where}")\n'
                                'def f(db):\n    g(db, "a = ?")\n    g(db, where="b = ?")\n', 0),
    "parameter, one unsafe caller": ('def g(db, where):\n    db.execute(f"SELECT * FROM t WHERE {where}")\n'
                                     'def f(db, user):\n    g(db, "a = ?")\n    g(db, user)\n', 1),
    "parameter, never called": ('def g(db, where):\n    db.execute(f"SELECT * FROM t WHERE {where}")\n', 1),
    "helper returning a tuple": ('def cond(x):\n    where = ["a = ?"]\n    return where, [x]\n'
                                 'def f(db, x):\n    where, params = cond(x)\n'
                                 '    db.execute("SELECT * FROM t WHERE " + " AND ".join(where), params)\n', 0),
    "attribute of a record": ('def f(db, rec):\n    db.execute(f"SELECT * FROM {rec.table}")\n', 1),
    "marked name": ('def f(db, table):\n    db.execute(f"SELECT * FROM {table}")  # sql: constant\n', 0),
    "marked call": ('def f(db, table):\n    db.execute(f"SELECT * FROM {table.strip()}")  # sql: constant\n', 1),
    "marker not needed": ('def f(db):\n    db.execute("SELECT 1")  # sql: constant\n', 1),
    "table name": ('def f(db, user):\n    db[user].insert({"a": 1})\n    db["t"].insert({"a": 1})\n', 1),
    "other .query": ('def f(model, user):\n    model.query(user)\n', 0),
    "sqlite-utils where": ('def f(db, user):\n    db["t"].rows_where(f"a = \'{user}\'")\n', 1),
}


@pytest.mark.parametrize("name", SCAN_CASES)
def test_sql_scan_catches_built_sql_and_allows_placeholders(name: str, tmp_path: Path) -> None:
    source, expected = SCAN_CASES[name]
    path = tmp_path / "sample.py"
    path.write_text(source, encoding="utf-8")
    scan = scan_sql([path])
    assert len(scan.problems) == expected, scan.problems
