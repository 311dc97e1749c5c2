// The texts per language and the window's translation: every key of the English tables
// exists in zh_CN with the same {parameters}; the .ts file has no unfinished, obsolete or
// vanished messages, and lupdate run over today's sources finds nothing new; every step
// of a translation renders completely (no unknown key, no unfilled argument) in both
// languages; plurals and numbers come out as the English output always read.
#include "models.h"

#include "core/model/summary.h"
#include "core/run/steps.h"
#include "ui/texttable.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include <unistd.h>

using namespace sf;
using sf::ui::TextTable;

namespace {

const QString kTs = QString(SF_SOURCE_DIR) + "/resources/translations/stepformer_zh_CN.ts";

TextTable table(const QString& language)
{
    TextTable t;
    QString error;
    INFO(error.toStdString());
    REQUIRE(t.load(language, &error));
    return t;
}

// Messages of a .ts file whose translation is missing, unfinished, obsolete or vanished.
QStringList unfinishedMessages(const QString& path)
{
    QFile f(path);
    REQUIRE(f.open(QIODevice::ReadOnly));
    QXmlStreamReader xml(&f);
    QStringList bad;
    QString context, source;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement) continue;
        if (xml.name() == u"name") context = xml.readElementText();
        else if (xml.name() == u"source") source = xml.readElementText();
        else if (xml.name() == u"translation") {
            const QString type = xml.attributes().value("type").toString();
            const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            if (!type.isEmpty() || text.trimmed().isEmpty()) bad << context + ": " + source + " [" + (type.isEmpty() ? "empty" : type) + "]";
        }
    }
    INFO(xml.errorString().toStdString() << " at line " << xml.lineNumber());
    REQUIRE_FALSE(xml.hasError());
    return bad;
}

}  // namespace

TEST_CASE("every English text exists in zh_CN with the same parameters", "[texts]")
{
    const TextTable en = table("en"), zh = table("zh_CN");
    REQUIRE(en.keys().size() > 100);
    for (const QString& key : en.keys()) {
        INFO(key.toStdString());
        REQUIRE(zh.contains(key));
        CHECK(TextTable::parameters(en.templateOf(key)) == TextTable::parameters(zh.templateOf(key)));
        CHECK(zh.templateOf(key) != QString());
    }
    for (const QString& key : zh.keys()) {
        INFO(key.toStdString());
        CHECK(en.contains(key));  // no stale key left in the translation
    }
}

TEST_CASE("templates: arguments, plural forms, numbers", "[texts]")
{
    TextTable t;
    REQUIRE(t.addJson(R"({"a": "{n} {n|token|tokens}, {x} at {p}", "b": "{stage}!", "c": "{missing}"})"));
    REQUIRE(t.addJson(R"({"s": "Scores"})"));
    CHECK(t.render(Text("a").count("n", 1).number("x", 3.14159).percent("p", 0.456)) == "1 token, 3.14 at 46%");
    CHECK(t.render(Text("a").count("n", 3).number("x", 12345.0).percent("p", 1.0)) == "3 tokens, 1.23e+04 at 100%");
    CHECK(t.render(Text("b").word("stage", "s")) == "Scores!");
    CHECK(t.render(Text("c")) == "{missing}");          // an unfilled argument stays visible
    CHECK(t.render(Text("no.such.key")) == "no.such.key");  // and so does an unknown key
    CHECK(TextTable::parameters("{n} {n|a|b} {x}") == QSet<QString>{"n", "x"});
    CHECK_FALSE(t.addJson("[1, 2]"));
    CHECK_FALSE(t.addJson(R"({"k": 3})"));
}

TEST_CASE("every step renders completely in English and Chinese", "[texts]")
{
    Config c = sf::test::smallConfig();
    Session s(sf::test::makeModel(c, 2));
    REQUIRE(s.setSourceIds({7, 12, 33, 5, 3}).ok());
    DecodeOptions o;
    o.minLength = o.maxLength = 3;
    auto t = s.translate(o);
    REQUIRE(t.ok());
    for (const QString& language : {QString("en"), QString("zh_CN")}) {
        const TextTable table_ = table(language);
        for (const Step& st : buildSteps(c, 3)) {
            const StepText x = explain(st, c, *t);
            for (const Text& part : {st.title(), x.explanation, x.formula, x.section, x.notice, blockName(st.block)}) {
                const QString shown = table_.render(part);
                INFO(language.toStdString() << " " << part.key << " -> " << shown.toStdString());
                CHECK(table_.contains(QString::fromStdString(part.key)));
                CHECK_FALSE(shown.contains('{'));
                CHECK_FALSE(shown.contains('|'));
            }
        }
    }
    const ModelSummary m = summarize(*sf::test::makeModel(c));
    const TextTable zh = table("zh_CN");
    for (const auto& [block, n] : m.parametersPerBlock) {
        CHECK(zh.render(block) != TextTable::english().render(block));
        CHECK_FALSE(zh.render(block).contains('{'));
    }
}

TEST_CASE("the zh_CN .ts file is complete and up to date with the sources", "[texts]")
{
    const QStringList bad = unfinishedMessages(kTs);
    INFO(bad.join("\n").toStdString());
    CHECK(bad.isEmpty());

    // lupdate over today's sources into a copy: a tr() string without a translation would
    // come back unfinished, a translation whose string is gone would come back vanished.
    QTemporaryDir dir;
    REQUIRE(dir.isValid());
    const QString copy = dir.filePath("check.ts");
    REQUIRE(QFile::copy(kTs, copy));
    QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
    const QDir src(SF_SOURCE_DIR);
    QStringList args{"-I", SF_SOURCE_DIR, "-silent", "-locations", "none", "-target-language", "zh_CN"};
    for (const QString& f : QDir(src.filePath("ui")).entryList({"*.cpp", "*.h"}, QDir::Files)) args << src.filePath("ui/" + f);
    args << src.filePath("app/gui.cpp") << "-ts" << copy;
    QProcess p;
    p.start(SF_LUPDATE, args);
    REQUIRE(p.waitForFinished(120000));
    INFO(p.readAllStandardError().toStdString());
    REQUIRE(p.exitCode() == 0);
    const QStringList stale = unfinishedMessages(copy);
    INFO(stale.join("\n").toStdString());
    CHECK(stale.isEmpty());
}
