//! Programming languages by file extension: which need tests, how their
//! tests are named, and which build manifests they use.

/// A language as the quality checks see it.
pub struct Language {
    pub name: &'static str,
    pub extensions: &'static [&'static str],
    /// Test files by name, beyond the common test directories.
    pub is_test: fn(&str) -> bool,
    /// False for languages of scripts and markup that rarely have tests.
    pub needs_tests: bool,
    /// Build manifests (`*.csproj` matches a suffix).
    pub manifests: &'static [&'static str],
}

fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.split('.').next().unwrap_or(name)
}

fn never(_: &str) -> bool {
    false
}

fn go_test(path: &str) -> bool {
    path.ends_with("_test.go")
}

fn python_test(path: &str) -> bool {
    let stem = stem(path);
    stem.starts_with("test_") || stem.ends_with("_test") || stem == "conftest"
}

fn java_test(path: &str) -> bool {
    path.contains("src/test/") || ["Test", "Tests", "IT", "Spec"].iter().any(|s| stem(path).ends_with(s))
}

fn js_test(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.contains(".test.") || name.contains(".spec.") || path.contains("__tests__/")
}

fn rust_test(path: &str) -> bool {
    path.starts_with("tests/")
        || path.contains("/tests/")
        || path.ends_with("/tests.rs")
        || stem(path).ends_with("_test")
}

fn c_test(path: &str) -> bool {
    let stem = stem(path);
    stem.ends_with("_test") || stem.ends_with("_unittest") || stem.starts_with("test_")
}

fn ruby_test(path: &str) -> bool {
    let stem = stem(path);
    stem.ends_with("_spec") || stem.ends_with("_test")
}

fn dotnet_test(path: &str) -> bool {
    stem(path).ends_with("Tests") || stem(path).ends_with("Test") || path.contains(".Tests/")
}

fn php_test(path: &str) -> bool {
    stem(path).ends_with("Test")
}

pub const LANGUAGES: &[Language] = &[
    Language { name: "Rust", extensions: &["rs"], is_test: rust_test, needs_tests: true, manifests: &["Cargo.toml"] },
    Language { name: "Go", extensions: &["go"], is_test: go_test, needs_tests: true, manifests: &["go.mod"] },
    Language {
        name: "Python",
        extensions: &["py"],
        is_test: python_test,
        needs_tests: true,
        manifests: &["pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile", "environment.yml"],
    },
    Language {
        name: "Java",
        extensions: &["java"],
        is_test: java_test,
        needs_tests: true,
        manifests: &["pom.xml", "build.gradle", "build.gradle.kts", "build.xml", "BUILD.bazel", "BUILD"],
    },
    Language {
        name: "Kotlin",
        extensions: &["kt", "kts"],
        is_test: java_test,
        needs_tests: true,
        manifests: &["build.gradle.kts", "build.gradle", "pom.xml"],
    },
    Language {
        name: "Scala",
        extensions: &["scala"],
        is_test: java_test,
        needs_tests: true,
        manifests: &["build.sbt", "pom.xml", "build.gradle"],
    },
    Language {
        name: "JavaScript",
        extensions: &["js", "jsx", "mjs", "cjs"],
        is_test: js_test,
        needs_tests: true,
        manifests: &["package.json"],
    },
    Language {
        name: "TypeScript",
        extensions: &["ts", "tsx", "mts", "cts"],
        is_test: js_test,
        needs_tests: true,
        manifests: &["package.json", "deno.json"],
    },
    Language {
        name: "C",
        extensions: &["c", "h"],
        is_test: c_test,
        needs_tests: true,
        manifests: &["CMakeLists.txt", "Makefile", "meson.build", "configure.ac", "BUILD.bazel", "BUILD", "*.vcxproj"],
    },
    Language {
        name: "C++",
        extensions: &["cc", "cpp", "cxx", "hpp", "hh", "hxx"],
        is_test: c_test,
        needs_tests: true,
        manifests: &[
            "CMakeLists.txt",
            "Makefile",
            "meson.build",
            "configure.ac",
            "BUILD.bazel",
            "BUILD",
            "*.vcxproj",
            "conanfile.txt",
            "conanfile.py",
            "vcpkg.json",
        ],
    },
    Language {
        name: "C#",
        extensions: &["cs"],
        is_test: dotnet_test,
        needs_tests: true,
        manifests: &["*.csproj", "*.sln"],
    },
    Language {
        name: "Ruby",
        extensions: &["rb"],
        is_test: ruby_test,
        needs_tests: true,
        manifests: &["Gemfile", "*.gemspec", "Rakefile"],
    },
    Language { name: "PHP", extensions: &["php"], is_test: php_test, needs_tests: true, manifests: &["composer.json"] },
    Language {
        name: "Swift",
        extensions: &["swift"],
        is_test: dotnet_test,
        needs_tests: true,
        manifests: &["Package.swift", "*.xcodeproj"],
    },
    Language {
        name: "Elixir",
        extensions: &["ex", "exs"],
        is_test: ruby_test,
        needs_tests: true,
        manifests: &["mix.exs"],
    },
    Language {
        name: "Dart",
        extensions: &["dart"],
        is_test: ruby_test,
        needs_tests: true,
        manifests: &["pubspec.yaml"],
    },
    Language {
        name: "Haskell",
        extensions: &["hs"],
        is_test: never,
        needs_tests: true,
        manifests: &["*.cabal", "stack.yaml", "package.yaml"],
    },
    Language { name: "Lua", extensions: &["lua"], is_test: ruby_test, needs_tests: true, manifests: &["*.rockspec"] },
    Language { name: "Shell", extensions: &["sh", "bash", "zsh"], is_test: never, needs_tests: false, manifests: &[] },
    Language { name: "PowerShell", extensions: &["ps1", "psm1"], is_test: never, needs_tests: false, manifests: &[] },
];

/// The language of a file, by extension.
pub fn language_of(path: &str) -> Option<&'static Language> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
    LANGUAGES.iter().find(|l| l.extensions.contains(&ext.as_str()))
}
