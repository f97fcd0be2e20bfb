/* placeholder while the service is written */
#include <stdio.h>
