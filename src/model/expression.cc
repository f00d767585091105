#include "model/expression.h"
