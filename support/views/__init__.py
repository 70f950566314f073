"""Views of support: staff (`staff`, under /equipe/), experts and initiatives (`spaces`), signed links
from the emails (`links`) and the toolbox (`toolbox`)."""
