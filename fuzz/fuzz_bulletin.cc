// libFuzzer target: bulletin and work-report templates as POST/PUT
// /api/bulletins receive them (JSON, then parse_bulletin_template), and the
// rich text inside them (parse_rich_text with its {{…}} placeholders) as
// the renderer turns it into HTML and DOCX. Checks that what was accepted
// reads back from its own JSON, and that the DOCX parts are well-formed XML.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "exchange/bulletin_render.h"
#include "model/bulletin.h"
#include "model/period.h"
#include "service/bulletins.h"

namespace {

using tianbao::service::BulletinDocument;

void render(std::vector<tianbao::model::Paragraph> paragraphs) {
  BulletinDocument doc;
  doc.code = "fuzz";
  doc.kind = "report";
  doc.title = "标题";
  doc.period = "2022-08";
  tianbao::service::DocBlock block;
  block.paragraphs = std::move(paragraphs);
  doc.blocks.push_back(std::move(block));
  (void)tianbao::exchange::bulletin_html(doc);
  for (const auto& [name, xml] : tianbao::exchange::bulletin_docx_parts(doc)) {
    pugi::xml_document parsed;
    if (!parsed.load_buffer(xml.data(), xml.size())) __builtin_trap();  // a corrupt DOCX
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  nlohmann::json body = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (body.is_object()) {
    auto parsed = tianbao::service::parse_bulletin_template(body);
    if (parsed.ok()) {
      // What GET /api/bulletins/{code} answers must be accepted by PUT.
      auto again = tianbao::service::parse_bulletin_template(
          tianbao::service::bulletin_template_json(*parsed));
      if (!again.ok()) __builtin_trap();
    }
  }

  auto paragraphs = tianbao::model::parse_rich_text(text);
  if (paragraphs.ok()) render(std::move(*paragraphs));
  (void)tianbao::model::parse_placeholder(text);
  (void)tianbao::model::placeholder_period(text, tianbao::model::Period::month(2022, 8));
  return 0;
}
