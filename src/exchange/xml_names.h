// Element names without their namespace prefix, for formats whose writers
// choose their own prefixes: <x:row> in XLSX, <adx:group> in ADX.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include <pugixml.hpp>

namespace tianbao::exchange {

inline std::string_view local_name(const pugi::xml_node& node) {
  std::string_view name = node.name();
  std::size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// The first child element with local name `local`, or a null node.
inline pugi::xml_node child_element(const pugi::xml_node& parent, std::string_view local) {
  for (pugi::xml_node node : parent.children()) {
    if (node.type() == pugi::node_element && local_name(node) == local) return node;
  }
  return {};
}

}  // namespace tianbao::exchange
