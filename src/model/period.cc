#include "model/period.h"
